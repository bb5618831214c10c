import { rmSync } from 'node:fs';
import { scanLogs, TEST_LOG_DIR } from './logs.js';

/**
 * Global setup and teardown of the e2e projects: start with no logs, and after the whole suite
 * fail the run if any log written by any service it started (in-process apps and child processes
 * alike) holds an API key. The suite issues hundreds of keys and sends them, bad and good, in
 * headers, query strings and bodies.
 */
export function setup(): () => void {
  rmSync(TEST_LOG_DIR, { recursive: true, force: true });
  return () => {
    const scan = scanLogs();
    process.stdout.write(
      `\nLog scan: ${scan.files} files, ${scan.lines} lines, ${scan.failedAuthLines} failed-authentication lines, ` +
        `${scan.leaks.length} API keys found.\n`,
    );
    if (scan.leaks.length > 0) {
      process.stderr.write(`\nFAIL: API keys found in the service logs:\n${scan.leaks.slice(0, 20).join('\n')}\n`);
      // Vitest reports an error thrown here but still exits 0; the exit code is what CI sees.
      process.exitCode = 1;
      throw new Error('API keys found in the service logs');
    }
  };
}
