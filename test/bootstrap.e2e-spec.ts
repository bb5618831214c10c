import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AdminBootstrapService, hashApiKeySecret } from '@users-service/users';
import { readFileSync } from 'node:fs';
import { BOOTSTRAP_KEY_UNUSABLE, runAdminBootstrap } from '../src/admin-bootstrap.js';
import { validateEnvironment } from '../src/config/environment.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const BOOTSTRAP_KEY = `ak_${'Bootstrap0'.repeat(4)}`;

describe('admin bootstrap', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const admins = () =>
    t.db.query(`SELECT id, email FROM users WHERE global_role_id = 'role_admin' ORDER BY created_at`);
  const createUser = (apiKey: string, email: string) =>
    t.request('/v1/user', {
      method: 'POST',
      headers: { 'X-API-Key': apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ email }),
    });

  it('gives an empty database one admin, whose printed key works, and only once, under the address the API knows', async () => {
    // BOOTSTRAP_ADMIN_EMAIL is normalized like every other e-mail.
    const env = validateEnvironment({ BOOTSTRAP_ADMIN_EMAIL: 'First@Example.COM' });
    const first = await runAdminBootstrap(t.app, env);
    expect(first).toEqual({
      outcome: 'created',
      userId: expect.stringMatching(/^usr_/),
      email: 'first@example.com',
      secret: expect.stringMatching(/^ak_[A-Za-z0-9]{40}$/),
    });
    expect(await runAdminBootstrap(t.app, env)).toEqual({ outcome: 'unchanged' });
    expect(await admins()).toEqual([
      { id: first.outcome === 'created' ? first.userId : '', email: 'first@example.com' },
    ]);

    const secret = first.outcome === 'created' ? first.secret! : '';
    expect((await createUser(secret, 'made-by-first@example.com')).status).toBe(201);
    // The API sees the same address: creating it again is a conflict, not a second account.
    const again = await createUser(secret, 'FIRST@example.com');
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('EMAIL_ALREADY_EXISTS');
  });

  it('makes sure an admin holds BOOTSTRAP_ADMIN_KEY, idempotently, even on a database with users', async () => {
    const env = validateEnvironment({ BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_KEY, BOOTSTRAP_ADMIN_EMAIL: 'ops@example.com' });
    const first = await runAdminBootstrap(t.app, env);
    expect(first).toEqual({ outcome: 'created', userId: expect.stringMatching(/^usr_/), email: 'ops@example.com' });
    expect(await runAdminBootstrap(t.app, env)).toEqual({ outcome: 'unchanged' });
    const keys = await t.db.query(
      `SELECT count(*)::int AS n FROM api_keys k JOIN users u ON u.id = k.user_id WHERE u.email = 'ops@example.com'`,
    );
    expect(keys).toEqual([{ n: 1 }]);

    expect((await createUser(BOOTSTRAP_KEY, 'made-by-ops@example.com')).status).toBe(201);
  });

  it('adds the key to an existing live admin with that e-mail instead of making another', async () => {
    const existing = await t.users.admin({ email: 'existing-admin@example.com' });
    const key = `ak_${'Existing00'.repeat(4)}`;
    const result = await t.app.get(AdminBootstrapService).ensureAdminKey(key, 'existing-admin@example.com');
    expect(result).toEqual({ outcome: 'key-added', userId: existing.id, email: 'existing-admin@example.com' });
  });

  it('starts after the bootstrap key was revoked or its admin deleted: the key stays revoked, one warning', async () => {
    const env = validateEnvironment({ BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_KEY, BOOTSTRAP_ADMIN_EMAIL: 'ops@example.com' });
    const keyRow = async () =>
      t.db.query('SELECT user_id, revoked_at IS NOT NULL AS revoked FROM api_keys WHERE key_hash = $1', [
        hashApiKeySecret(BOOTSTRAP_KEY),
      ]);
    const [{ user_id: adminId }] = (await keyRow()) as [{ user_id: string }];
    const adminsBefore = await admins();
    await t.db.query('UPDATE api_keys SET revoked_at = now() WHERE key_hash = $1', [hashApiKeySecret(BOOTSTRAP_KEY)]);
    expect(await runAdminBootstrap(t.app, env)).toEqual({ outcome: 'key-unusable' });
    // The admin deleted as well (its keys revoked with it): still a start, still nothing revived.
    await t.users.softDelete(adminId);
    expect(await runAdminBootstrap(t.app, env)).toEqual({ outcome: 'key-unusable' });
    expect(await keyRow()).toEqual([{ user_id: adminId, revoked: true }]);
    expect(await admins()).toEqual(adminsBefore);
    expect((await t.request('/v1/user/me', { headers: { 'X-API-Key': BOOTSTRAP_KEY } })).status).toBe(401);
    const warnings = readFileSync(t.logFile, 'utf8')
      .split('\n')
      .filter((line) => line.includes('"context":"AdminBootstrap"'))
      .map((line) => JSON.parse(line) as { level: number; msg: string });
    expect(warnings).toEqual([
      expect.objectContaining({ level: 40, msg: BOOTSTRAP_KEY_UNUSABLE }),
      expect.objectContaining({ level: 40, msg: BOOTSTRAP_KEY_UNUSABLE }),
    ]);
  });

  it('refuses to hand a bootstrap key to a member', async () => {
    const bootstrap = t.app.get(AdminBootstrapService);

    const member = await t.users.create({ email: 'member@example.com' });
    await expect(bootstrap.ensureAdminKey(`ak_${'Member0000'.repeat(4)}`, member.email)).rejects.toThrow(
      'BOOTSTRAP_ADMIN_EMAIL member@example.com belongs to a user who is not an admin.',
    );
  });

  it("a restart with BOOTSTRAP_ADMIN_KEY and another spelling of an admin's address gives the key to that admin", async () => {
    const admin = await t.users.admin({ email: 'ops2@example.com' });
    const key = `ak_${'Respelled0'.repeat(4)}`;
    const env = validateEnvironment({ BOOTSTRAP_ADMIN_KEY: key, BOOTSTRAP_ADMIN_EMAIL: 'Ops2@EXAMPLE.com' });
    expect(await runAdminBootstrap(t.app, env)).toEqual({
      outcome: 'key-added',
      userId: admin.id,
      email: 'ops2@example.com',
    });
    const [row] = await t.db.query(
      'SELECT u.id, u.email FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.key_hash = $1',
      [hashApiKeySecret(key)],
    );
    expect(row).toEqual({ id: admin.id, email: 'ops2@example.com' });
  });

  it('a decomposed é and a non-ASCII domain find the admin the API created with the composed form', async () => {
    const creator = await t.users.admin();
    // Created through the API, which stores NFC, the domain in punycode, lower case.
    const created = await createUser(creator.apiKey, 'rené@bücher.example');
    expect(created.status).toBe(201);
    const made = (await created.json()) as { user: { id: string; email: string } };
    expect(made.user.email).toBe('rené@xn--bcher-kva.example');
    await t.db.query(`UPDATE users SET global_role_id = 'role_admin' WHERE id = $1`, [made.user.id]);

    const key = `ak_${'Decomposed'.repeat(4)}`;
    const env = validateEnvironment({
      BOOTSTRAP_ADMIN_KEY: key,
      BOOTSTRAP_ADMIN_EMAIL: 'rene\u0301@bu\u0308cher.example',
    });
    expect(await runAdminBootstrap(t.app, env)).toEqual({
      outcome: 'key-added',
      userId: made.user.id,
      email: 'rené@xn--bcher-kva.example',
    });
    const accounts = await t.db.query(`SELECT id FROM users WHERE email LIKE 'ren%' ORDER BY created_at`);
    expect(accounts).toEqual([{ id: made.user.id }]);
  });
});
