import { execFileSync } from 'node:child_process';

/**
 * Global setup of the e2e projects: builds `dist/` once per run (both projects share it), so that
 * the specs which run the service as a real process (`node dist/src/main.js`: graceful shutdown,
 * two replicas sharing Redis, the embedded database across restarts) test the code of this checkout.
 */
export default function setup() {
  if (process.env.USERS_SERVICE_E2E_BUILT === '1') return;
  execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
  process.env.USERS_SERVICE_E2E_BUILT = '1';
}
