import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectWithMessage } from './support/expect-with-message.js';
import { hashApiKeySecret } from '@users-service/users';
import { AUTHENTICATION_REQUIRED, expectEnvelope, INVALID_API_KEY } from './support/envelope.js';
import { userObject } from './support/user-object.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('POST /v1/user', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<TestApp['users']['admin']>>;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.users.admin();
  });
  afterAll(async () => {
    await t?.close();
  });

  const create = (body: unknown, apiKey: string | null = admin.apiKey) =>
    t.request('/v1/user', {
      method: 'POST',
      headers: { ...(apiKey ? { 'X-API-Key': apiKey } : {}), 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('creates a user with a first API key, shown once and stored only as a hash', async () => {
    const response = await create({ email: '  New.Person@Example.COM ' });
    expect(response.status).toBe(201);
    const body = await response.json();
    const id = body.user.id as string;
    expect(id).toMatch(/^usr_[0-9a-f]{32}$/);
    expect(body.api_key).toMatch(/^ak_[A-Za-z0-9]{40}$/);
    expect(body).toEqual({
      success: true,
      user: userObject({ id, email: 'new.person@example.com' }),
      api_key: body.api_key,
    });

    const keys = await t.db.query('SELECT key_hash, prefix, revoked_at FROM api_keys WHERE user_id = $1', [id]);
    expect(keys).toEqual([
      { key_hash: hashApiKeySecret(body.api_key), prefix: body.api_key.slice(0, 10), revoked_at: null },
    ]);
    const anywhere = await t.db.query(
      `SELECT count(*)::int AS n FROM api_keys WHERE key_hash = $1 OR prefix = $1 OR name = $1`,
      [body.api_key],
    );
    expect(anywhere).toEqual([{ n: 0 }]);

    const audit = await t.db.query(
      'SELECT action, actor_user_id, metadata FROM audit_events WHERE target_user_id = $1 ORDER BY action',
      [id],
    );
    expect(audit).toEqual([
      { action: 'api_key.created', actor_user_id: admin.id, metadata: { api_key_id: expect.stringMatching(/^key_/) } },
      { action: 'user.created', actor_user_id: admin.id, metadata: { global_role_id: 'role_member' } },
    ]);

    // The new key works: its user can delete their own account.
    const deleted = await t.request(`/v1/user/${id}`, { method: 'DELETE', headers: { 'X-API-Key': body.api_key } });
    expect(deleted.status).toBe(200);
  });

  it('creates an admin when asked', async () => {
    const response = await create({ email: 'second.admin@example.com', global_role_id: 'role_admin' });
    expect(response.status).toBe(201);
    const body = await response.json();
    expect(body.user.global_role_id).toBe('role_admin');
    expect((await create({ email: 'made-by-second@example.com' }, body.api_key)).status).toBe(201);
  });

  it('answers 409 EMAIL_ALREADY_EXISTS when a live user has the e-mail, whatever its case', async () => {
    const existing = await t.users.create({ email: 'taken@example.com' });
    await expectEnvelope(await create({ email: 'TAKEN@example.com' }), {
      status: 409,
      code: 'EMAIL_ALREADY_EXISTS',
      type: 'client_error',
      message: 'A user with this e-mail address already exists.',
    });
    const rows = await t.db.query('SELECT id FROM users WHERE email = $1', ['taken@example.com']);
    expect(rows).toEqual([{ id: existing.id }]);
  });

  it('answers 422 VALIDATION_ERROR for a missing or bad e-mail, a bad role and unknown fields', async () => {
    const cases: Array<[unknown, Array<{ field: string; rule: string }>]> = [
      [{}, [{ field: 'email', rule: 'isEmail' }]],
      [{ email: 'nope' }, [{ field: 'email', rule: 'isEmail' }]],
      [{ email: 42 }, [{ field: 'email', rule: 'isEmail' }]],
      [{ email: 'ok@example.com', global_role_id: 'role_root' }, [{ field: 'global_role_id', rule: 'isIn' }]],
      [{ email: 'ok@example.com', is_deleted: true }, [{ field: 'is_deleted', rule: 'unknown_field' }]],
    ];
    for (const [body, expected] of cases) {
      const response = await create(body);
      expectWithMessage(response.status, JSON.stringify(body)).toBe(422);
      const json = await response.json();
      expect(json.error.code).toBe('VALIDATION_ERROR');
      expect(json.error.details.fields.map((f: any) => ({ field: f.field, rule: f.rule }))).toEqual(
        expect.arrayContaining(expected),
      );
    }
    expect(await t.db.query(`SELECT 1 FROM users WHERE email = 'ok@example.com'`)).toEqual([]);
  });

  it('answers 403 to a member, 401 without or with a bad key, before looking at the body', async () => {
    const member = await t.users.create();
    await expectEnvelope(await create({ email: 'by-member@example.com' }, member.apiKey), {
      status: 403,
      code: 'INSUFFICIENT_PERMISSIONS',
      type: 'authorization_error',
      message: "You don't have permission to perform this action.",
    });
    await expectEnvelope(await create({ email: 'bad' }, null), AUTHENTICATION_REQUIRED);
    await expectEnvelope(await create({ nonsense: true }, `ak_${'z'.repeat(40)}`), INVALID_API_KEY);
    expect(await t.db.query(`SELECT 1 FROM users WHERE email = 'by-member@example.com'`)).toEqual([]);
  });
});
