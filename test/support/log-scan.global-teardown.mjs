import { scanLogs } from './logs.mjs';

/**
 * Global teardown of the suite: fail the run if any log written by any service it started
 * (in-process apps and child processes alike) holds an API key. The suite issues hundreds of keys
 * and sends them, bad and good, in headers, query strings and bodies.
 */
export default function teardown() {
  const scan = scanLogs();
  process.stdout.write(
    `\nLog scan: ${scan.files} files, ${scan.lines} lines, ${scan.failedAuthLines} failed-authentication lines, ` +
      `${scan.leaks.length} API keys found.\n`,
  );
  if (scan.leaks.length > 0) {
    process.stderr.write(`\nFAIL: API keys found in the service logs:\n${scan.leaks.slice(0, 20).join('\n')}\n`);
    throw new Error('API keys found in the service logs');
  }
}
