import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * A replica keeps running while a migration of a newer release adds a column. Every pooled
 * connection has already prepared the hot statements; a statement that selected `u.*` would fail
 * once per connection with "cached plan must not change result type" (a 500).
 */
describe('a column added to users while the service runs', () => {
  const POOL = 3;
  const ROUNDS = 4 * POOL;
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ DB_POOL_SIZE: String(POOL) });
  });
  afterAll(async () => {
    await t?.close();
  });

  const me = (apiKey: string) => t.request('/v1/user/me', { headers: { 'X-API-Key': apiKey } });
  const del = (userId: string, apiKey: string) =>
    t.request(`/v1/user/${userId}`, { method: 'DELETE', headers: { 'X-API-Key': apiKey } });

  /** More requests at once than the pool has connections, so that every connection runs them. */
  const statuses = async (requests: () => Promise<Response>[]) =>
    Promise.all(
      requests().map(async (r) => {
        const response = await r;
        await response.arrayBuffer();
        return response.status;
      }),
    );

  it('gives no 5xx on the next requests of any pooled connection', async () => {
    const users = await Promise.all(Array.from({ length: ROUNDS * 2 }, () => t.users.create()));
    const first = users.slice(0, ROUNDS);
    const second = users.slice(ROUNDS);

    // Warm: every connection prepares the authentication and soft-delete statements.
    expect(await statuses(() => users.map((u) => me(u.apiKey)))).toEqual(users.map(() => 200));
    expect(await statuses(() => first.map((u) => del(u.id, u.apiKey)))).toEqual(first.map(() => 200));

    await t.db.query('ALTER TABLE users ADD COLUMN nickname_from_a_newer_release text');

    expect(await statuses(() => second.map((u) => me(u.apiKey)))).toEqual(second.map(() => 200));
    expect(await statuses(() => second.map((u) => del(u.id, u.apiKey)))).toEqual(second.map(() => 200));
    const spare = await t.users.create();
    const response = await me(spare.apiKey);
    expect(response.status).toBe(200);
    expect(JSON.stringify(await response.json())).not.toContain('nickname_from_a_newer_release');
  });
});
