import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectEnvelope, type ExpectedError } from './support/envelope.js';
import { readFileSync } from 'node:fs';
import { runAdminBootstrap } from '../src/admin-bootstrap.js';
import { validateEnvironment } from '../src/config/environment.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const NO_ADMIN_WARNING =
  'No live admin exists, so nobody can create users. To make one, set BOOTSTRAP_ADMIN_KEY to a new key ' +
  '(ak_ and 32 to 64 letters or digits) and BOOTSTRAP_ADMIN_EMAIL to its e-mail address, and restart.';

const LAST_ADMIN: ExpectedError = {
  status: 409,
  code: 'LAST_ADMIN',
  type: 'client_error',
  message: 'This is the last admin account. Create another admin before deleting it.',
  system_message: 'Deleting this account would leave no live admin, and nobody could create users.',
};

describe('the last live admin', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const deleteSelf = (user: { id: string; apiKey: string }) =>
    t.request(`/v1/user/${user.id}`, { method: 'DELETE', headers: { 'X-API-Key': user.apiKey } });
  const liveAdmins = async () =>
    (
      await t.db.query("SELECT id FROM users WHERE global_role_id = 'role_admin' AND is_deleted = false ORDER BY id")
    ).map((row: { id: string }) => row.id);
  /** Leaves no live admin (the start-up one included), so that each test sets up its own. */
  const removeAdmins = async () => {
    for (const id of await liveAdmins()) await t.users.softDelete(id);
  };

  it('cannot delete their own account (409 LAST_ADMIN); once another admin exists they can', async () => {
    await removeAdmins();
    const first = await t.users.admin();
    await expectEnvelope(await deleteSelf(first), LAST_ADMIN);
    expect(await liveAdmins()).toEqual([first.id]);
    const [row] = await t.db.query('SELECT is_deleted, is_active FROM users WHERE id = $1', [first.id]);
    expect(row).toEqual({ is_deleted: false, is_active: true });
    expect(
      await t.db.query("SELECT 1 FROM audit_events WHERE target_user_id = $1 AND action = 'user.deleted'", [first.id]),
    ).toEqual([]);

    const second = await t.users.admin();
    expect((await deleteSelf(first)).status).toBe(200);
    await expectEnvelope(await deleteSelf(second), LAST_ADMIN);
    expect(await liveAdmins()).toEqual([second.id]);
  });

  it('a member deletes their own account whether or not an admin exists', async () => {
    await removeAdmins();
    const member = await t.users.create();
    expect((await deleteSelf(member)).status).toBe(200);
  });

  it('two admins deleting themselves at once never leave zero', async () => {
    for (let round = 0; round < 10; round++) {
      await removeAdmins();
      const pair = [await t.users.admin(), await t.users.admin()];
      // Open the connections first, so that both deletes arrive together.
      await Promise.all(pair.map(() => t.request('/health').then((r) => r.arrayBuffer())));
      const statuses = (await Promise.all(pair.map(deleteSelf))).map((r) => r.status).sort();
      expect(statuses).toEqual([200, 409]);
      expect(await liveAdmins()).toHaveLength(1);
    }
  });

  it('start-up says when no live admin exists and how to make one, and only then', async () => {
    const env = validateEnvironment({ NODE_ENV: 'test', PGLITE_DIR: 'memory://' });
    /** Pino writes to the file asynchronously: give the last line a moment. */
    const warnings = async () => {
      await new Promise((r) => setTimeout(r, 200));
      return readFileSync(t.logFile, 'utf8')
        .split('\n')
        .filter((line) => line.includes('No live admin'))
        .map((line) => JSON.parse(line) as { level: number; msg: string });
    };
    const admin = await t.users.admin();
    await runAdminBootstrap(t.app, env);
    expect(await warnings()).toEqual([]);

    await removeAdmins();
    await runAdminBootstrap(t.app, env);
    expect(await warnings()).toEqual([expect.objectContaining({ level: 40, msg: NO_ADMIN_WARNING })]);
    expect(admin.id).toMatch(/^usr_/);
  });
});
