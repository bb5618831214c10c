import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  AUTHENTICATION_REQUIRED,
  DELETE_FORBIDDEN,
  expectEnvelope,
  INVALID_API_KEY,
  USER_NOT_FOUND,
  withoutTrace,
} from './support/envelope.js';
import pg from 'pg';
import { engine, startTestApp, type TestApp } from './support/test-app.js';

describe('DELETE /v1/user/{user_id}', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const del = (userId: string, apiKey?: string, headers: Record<string, string> = {}) =>
    t.request(`/v1/user/${userId}`, {
      method: 'DELETE',
      headers: { ...(apiKey ? { 'X-API-Key': apiKey } : {}), ...headers },
    });

  /** N deletes sent at once over connections opened beforehand, so that they arrive together. */
  const concurrentDeletes = async (userId: string, apiKey: string, n: number) => {
    await Promise.all(Array.from({ length: n }, () => t.request('/health').then((r) => r.arrayBuffer())));
    return Promise.all(Array.from({ length: n }, () => del(userId, apiKey)));
  };

  const userRow = async (id: string) => {
    const [row] = await t.db.query(
      'SELECT email, is_deleted, is_active, deleted_at, deleted_by, created_at FROM users WHERE id = $1',
      [id],
    );
    return row;
  };
  const auditRows = async (targetUserId: string) =>
    t.db.query(
      'SELECT action, actor_user_id, trace_id, metadata FROM audit_events WHERE target_user_id = $1 AND action = $2',
      [targetUserId, 'user.deleted'],
    );

  it("soft-deletes the caller's own account with the seed's exact 200 body", async () => {
    const user = await t.users.create();
    const response = await del(user.id, user.apiKey);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      success: true,
      message: 'User account deleted successfully',
      user_id: user.id,
    });
    const traceId = response.headers.get('x-request-id');
    expect(traceId).toMatch(/^req_[0-9a-f]{24}$/);

    const row = await userRow(user.id);
    expect(row).toMatchObject({ email: user.email, is_deleted: true, is_active: false, deleted_by: user.id });
    expect(row.deleted_at).toBeInstanceOf(Date);
    expect(Math.abs(row.deleted_at.getTime() - Date.now())).toBeLessThan(60_000);

    expect(await auditRows(user.id)).toEqual([
      { action: 'user.deleted', actor_user_id: user.id, trace_id: traceId, metadata: { revoked_api_keys: 1 } },
    ]);
  });

  it('revokes every key of the user: afterwards each answers 401 INVALID_API_KEY on every route', async () => {
    const user = await t.users.create();
    const second = await t.users.addKey(user.id);
    const other = await t.users.create();

    expect((await del(user.id, user.apiKey)).status).toBe(200);

    const keys = await t.db.query('SELECT revoked_at, revoked_reason FROM api_keys WHERE user_id = $1', [user.id]);
    expect(keys).toHaveLength(2);
    for (const key of keys) {
      expect(key.revoked_at).toBeInstanceOf(Date);
      expect(key.revoked_reason).toBe('user_deleted');
    }
    for (const secret of [user.apiKey, second]) {
      await expectEnvelope(await del(user.id, secret), INVALID_API_KEY);
      await expectEnvelope(await del(other.id, secret), INVALID_API_KEY);
      await expectEnvelope(
        await t.request('/v1/user', {
          method: 'POST',
          headers: { 'X-API-Key': secret, 'Content-Type': 'application/json' },
          body: '{"email":"x@example.com"}',
        }),
        INVALID_API_KEY,
      );
    }
    // Only that user's keys: someone else's key still works.
    expect((await del(other.id, other.apiKey)).status).toBe(200);
  });

  it("answers the seed's 403 for another user's id and for an id that does not exist, identically", async () => {
    const caller = await t.users.create();
    const victim = await t.users.create();

    const forOther = await expectEnvelope(await del(victim.id, caller.apiKey), DELETE_FORBIDDEN);
    const forMissing = await expectEnvelope(
      await del('usr_00000000000000000000000000000000', caller.apiKey),
      DELETE_FORBIDDEN,
    );
    const forGarbage = await expectEnvelope(await del('not-an-id', caller.apiKey), DELETE_FORBIDDEN);

    expect(withoutTrace(forOther)).toEqual(withoutTrace(forMissing));
    expect(withoutTrace(forOther)).toEqual(withoutTrace(forGarbage));
    expect(forOther.error.trace_id).not.toBe(forMissing.error.trace_id);

    expect(await userRow(victim.id)).toMatchObject({ is_deleted: false, is_active: true, deleted_at: null });
    expect(await userRow(caller.id)).toMatchObject({ is_deleted: false, is_active: true });
    expect(await auditRows(victim.id)).toEqual([]);
  });

  it('answers 401 AUTHENTICATION_REQUIRED without a key, and ignores a key in the query string', async () => {
    const user = await t.users.create();
    await expectEnvelope(await del(user.id), AUTHENTICATION_REQUIRED);
    await expectEnvelope(await del(user.id, undefined, { 'X-API-Key': '' }), AUTHENTICATION_REQUIRED);
    for (const query of [
      `api_key=${user.apiKey}`,
      `X-API-Key=${user.apiKey}`,
      `x-api-key=${user.apiKey}`,
      `apiKey=${user.apiKey}`,
    ]) {
      await expectEnvelope(
        await t.request(`/v1/user/${user.id}?${query}`, { method: 'DELETE' }),
        AUTHENTICATION_REQUIRED,
      );
    }
    expect(await userRow(user.id)).toMatchObject({ is_deleted: false });
  });

  it('answers 401 INVALID_API_KEY for malformed, unknown and expired keys, before any 403', async () => {
    const user = await t.users.create();
    const expired = await t.users.create({ keyExpiresAt: new Date(Date.now() - 1000) });
    const other = await t.users.create();
    const unknown = `ak_${'A'.repeat(40)}`;
    for (const key of ['nonsense', 'ak_short', `${user.apiKey}x`, unknown, expired.apiKey, `Bearer ${user.apiKey}`]) {
      await expectEnvelope(await del(user.id, key), INVALID_API_KEY);
      // 401 comes before 403: a bad key never learns whether the target is someone else's.
      await expectEnvelope(await del(other.id, key), INVALID_API_KEY);
    }
    await expectEnvelope(await del(expired.id, expired.apiKey), INVALID_API_KEY);
    expect(await userRow(user.id)).toMatchObject({ is_deleted: false });
    expect(await userRow(expired.id)).toMatchObject({ is_deleted: false });
  });

  it('keeps the row, its e-mail and its audit trail, and a new account may take the e-mail', async () => {
    const admin = await t.users.admin();
    const user = await t.users.create();
    expect((await del(user.id, user.apiKey)).status).toBe(200);

    const again = await t.request('/v1/user', {
      method: 'POST',
      headers: { 'X-API-Key': admin.apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: user.email }),
    });
    expect(again.status).toBe(201);
    const created = (await again.json()) as { user: { id: string } };
    expect(created.user.id).not.toBe(user.id);

    const rows = await t.db.query('SELECT id, is_deleted FROM users WHERE email = $1 ORDER BY created_at', [
      user.email,
    ]);
    expect(rows).toEqual([
      { id: user.id, is_deleted: true },
      { id: created.user.id, is_deleted: false },
    ]);
    expect(await auditRows(user.id)).toHaveLength(1);
  });

  it('of 20 concurrent deletes of one account exactly one wins; no 5xx; one audit row', async () => {
    const user = await t.users.create();
    const responses = await concurrentDeletes(user.id, user.apiKey, 20);
    const statuses = responses.map((r) => r.status);

    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.every((s) => s === 200 || s === 404 || s === 401)).toBe(true);
    for (const response of responses) {
      if (response.status === 404) await expectEnvelope(response, USER_NOT_FOUND);
      if (response.status === 401) await expectEnvelope(response, INVALID_API_KEY);
    }
    expect(await auditRows(user.id)).toHaveLength(1);
    expect(await userRow(user.id)).toMatchObject({ is_deleted: true, is_active: false });
  });

  // PGlite runs each query to completion before the next request is even read, so two deletes
  // never overlap there and the race below cannot happen; the 404 body is proven on PGlite by the
  // HTTP slice test (users.controller.http.spec.ts). On PostgreSQL the race is made to happen.
  (engine() !== 'postgres' ? it.skip : it)("answers the seed's exact 404 to deletes that lost the race", async () => {
    const user = await t.users.create();
    const locker = new pg.Client({ connectionString: t.databaseUrl });
    const observer = new pg.Client({ connectionString: t.databaseUrl });
    await Promise.all([locker.connect(), observer.connect()]);
    try {
      await locker.query('BEGIN');
      await locker.query('SELECT id FROM users WHERE id = $1 FOR UPDATE', [user.id]);
      // Both requests authenticate (the user is still live), then wait on the row lock.
      const pending = [del(user.id, user.apiKey), del(user.id, user.apiKey)];
      await waitFor(async () => {
        // Not the locker: inside its transaction pg_stat_activity would be one cached snapshot.
        const { rows } = await observer.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%UPDATE "users"%'`,
        );
        return rows[0].n >= 2;
      });
      await locker.query(
        `UPDATE users SET is_deleted = true, is_active = false, deleted_at = now(), deleted_by = $1 WHERE id = $1`,
        [user.id],
      );
      await locker.query('COMMIT');
      for (const response of await Promise.all(pending)) await expectEnvelope(response, USER_NOT_FOUND);
      expect(await auditRows(user.id)).toEqual([]);
    } finally {
      await Promise.all([locker.end(), observer.end()]);
    }
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
