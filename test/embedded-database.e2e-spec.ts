import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createPgliteDriver } from '@users-service/common/pglite';
import { type ChildServer, randomApiKey, startChildServer } from './support/child-server.js';
import { expectEnvelope, INVALID_API_KEY } from './support/envelope.js';
import { engine, startTestApp, type TestApp } from './support/test-app.js';

/** The settings libs/common/src/database/pglite-pool.ts gives PostgreSQL, as `SHOW` prints them. */
const EMBEDDED_SETTINGS = [
  { name: 'shared_buffers', value: '16MB' },
  { name: 'max_connections', value: '1' },
  { name: 'maintenance_work_mem', value: '16MB' },
  { name: 'temp_buffers', value: '2MB' },
];

const show = async (query: (sql: string) => Promise<unknown>) => {
  const values = [];
  for (const { name } of EMBEDDED_SETTINGS) {
    const rows = (await query(`SHOW ${name}`)) as Record<string, string>[];
    values.push({ name, value: rows[0]?.[name] });
  }
  return values;
};

/** Each start, and above all a first start (initdb), can take long on two busy cores. */
const START_TIMEOUT_MS = 120_000;

/**
 * The embedded engine as `npm start` runs it: PGlite in a directory (PGLITE_DIR), the service as a
 * process of its own (the built `dist/`). PGlite only, by definition.
 */
(engine() !== 'pglite' ? describe.skip : describe)('the embedded database (PGlite)', () => {
  let root: string;
  let server: ChildServer | undefined;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'users-embedded-'));
  });
  afterAll(() => {
    server?.kill();
    rmSync(root, { recursive: true, force: true });
  });

  it(
    'starts on a directory that does not exist yet, and keeps every write across a stop and a kill',
    async () => {
      const dataDir = join(root, 'fresh');
      const adminKey = randomApiKey();
      const env = { PGLITE_DIR: dataDir, BOOTSTRAP_ADMIN_KEY: adminKey, SHUTDOWN_DRAIN_MS: '0' };

      server = await startChildServer(env, 'embedded-first', START_TIMEOUT_MS);
      const created = await server.request('/v1/user', {
        method: 'POST',
        headers: { 'X-API-Key': adminKey, 'Content-Type': 'application/json' },
        body: '{"email":"kept@example.com"}',
      });
      expect(created.status).toBe(201);
      const { user, api_key: userKey } = (await created.json()) as { user: Record<string, unknown>; api_key: string };
      // The first start's initdb ran elsewhere and left nothing beside the directory.
      expect(readdirSync(root)).toEqual(['fresh']);

      // main.ts drains (here for 0 ms), closes the app (the pool's end included), then exits 0.
      server.proc.kill('SIGTERM');
      expect(await server.exited).toEqual({ code: 0, signal: null });

      server = await startChildServer(env, 'embedded-restart', START_TIMEOUT_MS);
      const me = await server.request('/v1/user/me', { headers: { 'X-API-Key': userKey } });
      expect(me.status).toBe(200);
      expect(await me.json()).toEqual(user);
      const deleted = await server.request(`/v1/user/${String(user.id)}`, {
        method: 'DELETE',
        headers: { 'X-API-Key': userKey },
      });
      expect(deleted.status).toBe(200);

      // No shutdown at all: what a committed request wrote is in the directory already.
      server.proc.kill('SIGKILL');
      expect(await server.exited).toEqual({ code: null, signal: 'SIGKILL' });

      server = await startChildServer(env, 'embedded-after-kill', START_TIMEOUT_MS);
      await expectEnvelope(await server.request('/v1/user/me', { headers: { 'X-API-Key': userKey } }), INVALID_API_KEY);
      const stillThere = await server.request(`/v1/user/${String(user.id)}?include_deleted=true`, {
        headers: { 'X-API-Key': adminKey },
      });
      expect(stillThere.status).toBe(200);
      expect(await stillThere.json()).toMatchObject({ id: user.id, email: 'kept@example.com', is_deleted: true });
      server.proc.kill('SIGTERM');
      expect(await server.exited).toEqual({ code: 0, signal: null });
    },
    4 * START_TIMEOUT_MS,
  );

  it(
    'runs PostgreSQL with the small embedded settings, in a directory and in memory',
    async () => {
      const inDirectory = new (createPgliteDriver(join(root, 'settings')).Pool)() as unknown as {
        query(sql: string): Promise<{ rows: unknown[] }>;
        end(): Promise<void>;
      };
      try {
        expect(await show(async (sql) => (await inDirectory.query(sql)).rows)).toEqual(EMBEDDED_SETTINGS);
      } finally {
        await inDirectory.end();
      }

      let t: TestApp | undefined;
      try {
        t = await startTestApp({ PGLITE_DIR: 'memory://' });
        const app = t;
        expect(await show((sql) => app.db.query(sql))).toEqual(EMBEDDED_SETTINGS);
      } finally {
        await t?.close();
      }
    },
    2 * START_TIMEOUT_MS,
  );

  it(
    'refuses a directory that holds files of something else, and leaves them as they were',
    async () => {
      const dataDir = join(root, 'occupied');
      mkdirSync(join(dataDir, 'base'), { recursive: true });
      writeFileSync(join(dataDir, 'base', 'notes.txt'), 'not a database');
      const pool = new (createPgliteDriver(dataDir).Pool)() as unknown as {
        query(sql: string): Promise<unknown>;
        end(): Promise<void>;
      };
      try {
        await expect(pool.query('SELECT 1')).rejects.toThrow(
          `${dataDir} holds files that are not a PGlite database (base). Point PGLITE_DIR at an empty or new directory.`,
        );
      } finally {
        await pool.end();
      }
      expect(readdirSync(dataDir)).toEqual(['base']);
      expect(readdirSync(join(dataDir, 'base'))).toEqual(['notes.txt']);
    },
    START_TIMEOUT_MS,
  );
});
