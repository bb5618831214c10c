import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engine } from './support/test-app.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

// What a newcomer sees on the first `npm start`: the built server (which the PostgreSQL project
// builds) on a fresh PGlite directory, its output piped here rather than to a log file, since it
// prints the first admin key (the suite's log scan would rightly call that a leak).
(engine() === 'postgres' ? describe : describe.skip)('the first start, as seen on a terminal', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'users-service-terminal-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('prints readable log lines, the admin-key block last, and a line on Ctrl-C', async () => {
    const port = await freePort();
    // LOG_FORMAT=pretty is what `auto` picks when standard output is a terminal.
    const proc = spawn(process.execPath, ['dist/src/main.js'], {
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'test',
        PORT: String(port),
        PGLITE_DIR: dataDir,
        LOG_FORMAT: 'pretty',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    proc.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 60_000;
      while (!stdout.includes('Try: curl')) {
        if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`no start: ${stdout}${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      // Let anything the start still had to say arrive.
      await new Promise((r) => setTimeout(r, 1500));
      const lines = stdout.split('\n').filter((line) => line.trim() !== '');
      const block = lines.findIndex((line) => line.startsWith('Users service listening on'));
      expect(block).toBeGreaterThan(0);
      // Log lines: no JSON, each "HH:MM:SS.mmm LEVEL ...".
      for (const line of lines.slice(0, block)) expect(line).toMatch(/^\d{2}:\d{2}:\d{2}\.\d{3} (INFO |WARN |DEBUG)/);
      // Nothing after the block: the admin key is the last thing on the screen.
      expect(lines.slice(block).map((line) => line.replace(/ak_[A-Za-z0-9]{40}/g, 'ak_…'))).toEqual([
        `Users service listening on http://127.0.0.1:${port}`,
        `Database: embedded PGlite in ${dataDir}`,
        `Swagger UI: http://127.0.0.1:${port}/docs   OpenAPI: http://127.0.0.1:${port}/docs-json`,
        expect.stringMatching(/^First start: created admin admin@example\.com \(usr_[0-9a-f]{32}\)\.$/),
        'Admin API key (shown this once, save it now): ak_…',
        `Try: curl -s -H "X-API-Key: ak_…" -X POST http://127.0.0.1:${port}/v1/user -H 'Content-Type: application/json' -d '{"email":"someone@example.com"}'`,
      ]);

      const before = stdout.length;
      proc.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(stdout.slice(before).trim().split('\n').pop()).toBe('Users service stopped.');
      expect(stderr).toBe('');
    } finally {
      if (proc.exitCode === null) proc.kill('SIGKILL');
    }
  });
});
