import { execFileSync } from 'node:child_process';

/**
 * Global setup of the e2e-postgres project: builds `dist/` once, so that the specs which run the
 * service as a real process (`node dist/src/main.js`: graceful shutdown, two replicas sharing Redis)
 * test the code of this checkout.
 */
export default function setup() {
  execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
}
