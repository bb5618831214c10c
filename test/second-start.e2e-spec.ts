import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type ChildServer, randomApiKey, startChildServer } from './support/child-server.js';
import { engine } from './support/test-app.js';

// The built server as a process on an embedded PGlite directory. It runs in the PostgreSQL
// project, which builds dist/ (the PGlite project runs everything in-process and builds nothing).
(engine() === 'postgres' ? describe : describe.skip)('a second start on the same PGlite directory', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'users-service-second-start-'));
  let first: ChildServer | undefined;

  afterAll(async () => {
    first?.kill();
    await first?.exited;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('says at once, in one line, that the directory is in use, and exits 1', async () => {
    const env = { PGLITE_DIR: dataDir, BOOTSTRAP_ADMIN_KEY: randomApiKey() };
    first = await startChildServer(env, 'first-start');
    const started = Date.now();
    const second = spawnSync(process.execPath, ['dist/src/main.js'], {
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });
    const ms = Date.now() - started;
    console.info(`second start on a PGlite directory in use: exit ${second.status} after ${ms} ms`);
    expect({ status: second.status, stdout: second.stdout, stderr: second.stderr }).toEqual({
      status: 1,
      stdout: '',
      stderr:
        `The data directory ${resolve(dataDir)} is in use by another users service (process ${first.proc.pid}); ` +
        'stop it first, or set PGLITE_DIR or DATABASE_URL.\n',
    });
    expect(ms).toBeLessThan(5000);
    // The first one still serves.
    expect((await first.request('/health/ready')).status).toBe(200);
  });
});
