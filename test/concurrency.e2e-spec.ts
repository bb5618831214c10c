import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectEnvelope, INVALID_API_KEY, USER_NOT_FOUND } from './support/envelope.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('concurrent deletes', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ DB_POOL_SIZE: '20' });
  });
  afterAll(async () => {
    await t?.close();
  });

  const del = (userId: string, apiKey: string) =>
    t.request(`/v1/user/${userId}`, { method: 'DELETE', headers: { 'X-API-Key': apiKey } });

  /** Every row of the three tables, to compare before and after. */
  const snapshot = async () => ({
    users: await t.db.query('SELECT * FROM users ORDER BY id'),
    keys: await t.db.query('SELECT * FROM api_keys ORDER BY id'),
    audit: await t.db.query('SELECT * FROM audit_events ORDER BY id'),
  });

  it('of 50 concurrent deletes of one account exactly one is 200, the rest 404 or 401; one audit row', async () => {
    const user = await t.users.create();
    // Open the connections first, so that the 50 deletes arrive together.
    await Promise.all(Array.from({ length: 50 }, () => t.request('/health/live').then((r) => r.arrayBuffer())));
    const responses = await Promise.all(Array.from({ length: 50 }, () => del(user.id, user.apiKey)));
    const statuses = responses.map((r) => r.status);

    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    for (const response of responses) {
      if (response.status === 404) await expectEnvelope(response, USER_NOT_FOUND);
      else if (response.status === 401) await expectEnvelope(response, INVALID_API_KEY);
      else expect(response.status).toBe(200);
    }
    const audit = await t.db.query(
      "SELECT count(*)::int AS n FROM audit_events WHERE target_user_id = $1 AND action = 'user.deleted'",
      [user.id],
    );
    expect(audit).toEqual([{ n: 1 }]);
  });

  it('200 accounts deleted at once: all 200, no deadlock, and nothing else changed', async () => {
    const bystanders = await Promise.all(Array.from({ length: 20 }, () => t.users.create()));
    const users = await Promise.all(Array.from({ length: 200 }, () => t.users.create()));
    for (const user of users.slice(0, 50)) await t.users.addKey(user.id);
    const before = await snapshot();
    const ids = new Set(users.map((u) => u.id));

    const started = Date.now();
    const responses = await Promise.all(users.map((u) => del(u.id, u.apiKey)));
    const ms = Date.now() - started;
    expect(responses.map((r) => r.status)).toEqual(users.map(() => 200));

    const after = await snapshot();
    // Users: only the 200 changed, and only in the deletion columns.
    expect(after.users).toHaveLength(before.users.length);
    for (const [i, row] of after.users.entries()) {
      const old = before.users[i];
      if (!ids.has(row.id)) {
        expect(row).toEqual(old);
        continue;
      }
      expect(row).toEqual({
        ...old,
        is_deleted: true,
        is_active: false,
        deleted_at: expect.any(Date),
        deleted_by: row.id,
        updated_at: expect.any(Date),
      });
    }
    // Keys: exactly those of the 200 were revoked (and the key each delete was sent with may have
    // had its last use recorded, in the background).
    for (const [i, key] of after.keys.entries()) {
      const old = before.keys[i];
      if (!ids.has(key.user_id)) expect(key).toEqual(old);
      else {
        expect(key).toEqual({
          ...old,
          revoked_at: expect.any(Date),
          revoked_reason: 'user_deleted',
          last_used_at: key.last_used_at,
        });
      }
    }
    // Audit: the old rows untouched, plus one user.deleted per account.
    expect(after.audit.slice(0, before.audit.length)).toEqual(before.audit);
    const added = after.audit.slice(before.audit.length);
    expect(added).toHaveLength(200);
    expect(new Set(added.map((a: { target_user_id: string }) => a.target_user_id))).toEqual(ids);
    expect(added.every((a: { action: string }) => a.action === 'user.deleted')).toBe(true);
    for (const b of bystanders) expect(ids.has(b.id)).toBe(false);
    console.info(`concurrency (${t.engine}): 200 deletes at once answered in ${ms} ms`);
  });
});
