import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { engine, startTestApp, type TestApp } from './support/test-app.js';

/**
 * The soft delete against key creation, over HTTP: each of many users creates keys while deleting
 * its own account. No key may stay live on a deleted account, and after an admin restores the
 * account only the key the restore handed out may authenticate.
 *
 * PostgreSQL only: on PGlite (one connection) requests never overlap at the database, so there is
 * no race to lose there.
 */
(engine() !== 'postgres' ? describe.skip : describe)('soft delete racing key creation (PostgreSQL)', () => {
  const USERS = 60;
  const KEYS_PER_USER = 5;
  let t: TestApp;

  beforeAll(async () => {
    // Some 360 transactions at once share 20 connections; waiting longer than the default 3 s for
    // one on a loaded machine is not what this spec is about (it would answer 503).
    t = await startTestApp({ DB_POOL_SIZE: '20', DB_CONNECT_TIMEOUT_MS: '30000' });
  });
  afterAll(async () => {
    await t?.close();
  });

  const headers = (apiKey: string) => ({ 'X-API-Key': apiKey, 'Content-Type': 'application/json' });
  const createKey = (apiKey: string, i: number) =>
    t.request('/v1/user/api-keys', {
      method: 'POST',
      headers: headers(apiKey),
      body: JSON.stringify({ name: `k${i}` }),
    });
  const del = (userId: string, apiKey: string) =>
    t.request(`/v1/user/${userId}`, { method: 'DELETE', headers: { 'X-API-Key': apiKey } });
  const me = (apiKey: string) => t.request('/v1/user/me', { headers: { 'X-API-Key': apiKey } });

  it('leaves no live key on a deleted account; a restored account accepts only the restore key', async () => {
    const admin = await t.users.admin();
    const users = await Promise.all(Array.from({ length: USERS }, () => t.users.create()));
    // Open the connections first, so that the requests arrive together.
    await Promise.all(Array.from({ length: 40 }, () => t.request('/health/live').then((r) => r.arrayBuffer())));

    const created: Array<{ userId: string; secret: string }> = [];
    await Promise.all(
      users.map(async (user) => {
        const creations = Array.from({ length: KEYS_PER_USER }, async (_, i) => {
          const response = await createKey(user.apiKey, i);
          // 201, or the account is already gone: 401 (key revoked) or 404 (user deleted meanwhile).
          expect([201, 401, 404]).toContain(response.status);
          if (response.status === 201) {
            const body = (await response.json()) as { api_key: string };
            created.push({ userId: user.id, secret: body.api_key });
          } else await response.arrayBuffer();
        });
        const deletion = del(user.id, user.apiKey).then((r) => r.status);
        const [status] = await Promise.all([deletion, ...creations]);
        expect(status).toBe(200);
      }),
    );
    console.info(`delete-key race: ${created.length} keys created during ${USERS} deletes`);

    const live: Array<{ n: number }> = await t.db.query(
      `SELECT count(*)::int AS n FROM api_keys k JOIN users u ON u.id = k.user_id
        WHERE u.is_deleted AND k.revoked_at IS NULL AND u.id = ANY($1)`,
      [users.map((u) => u.id)],
    );
    expect(live).toEqual([{ n: 0 }]);

    const restoredKeys = new Map<string, string>();
    for (const user of users) {
      const response = await t.request(`/v1/user/${user.id}/restore`, {
        method: 'POST',
        headers: { 'X-API-Key': admin.apiKey },
      });
      expect(response.status).toBe(200);
      restoredKeys.set(user.id, ((await response.json()) as { api_key: string }).api_key);
    }
    for (const user of users) expect((await me(user.apiKey)).status).toBe(401);
    const accepted = [];
    for (const key of created) if ((await me(key.secret)).status !== 401) accepted.push(key.userId);
    expect(accepted).toEqual([]);
    for (const user of users) expect((await me(restoredKeys.get(user.id)!)).status).toBe(200);
    // Some 500 requests, most of them one after the other: generous for a loaded machine.
  }, 180_000);
});
