import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectEnvelope, type ExpectedError } from './support/envelope.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const API_KEY_LIMIT_REACHED = (limit: number): ExpectedError => ({
  status: 409,
  code: 'API_KEY_LIMIT_REACHED',
  type: 'client_error',
  message: `You already have ${limit} active API keys. Revoke one before creating another.`,
  system_message: `MAX_API_KEYS_PER_USER is ${limit}.`,
});

describe('API keys per user: a cap, one rate budget, a paged list', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ MAX_API_KEYS_PER_USER: '5', RATE_LIMIT_PER_USER_PER_MINUTE: '1000000' });
  });
  afterAll(async () => {
    await t?.close();
  });

  const createKey = (apiKey: string) =>
    t.request('/v1/user/api-keys', {
      method: 'POST',
      headers: { 'X-API-Key': apiKey, 'Content-Type': 'application/json' },
      body: '{}',
    });
  const liveKeys = async (userId: string) =>
    Number(
      (
        await t.db.query('SELECT count(*)::int AS n FROM api_keys WHERE user_id = $1 AND revoked_at IS NULL', [userId])
      )[0].n,
    );

  it('refuses a key beyond MAX_API_KEYS_PER_USER live ones with 409 API_KEY_LIMIT_REACHED', async () => {
    const user = await t.users.create();
    for (let i = 0; i < 4; i++) expect((await createKey(user.apiKey)).status).toBe(201);
    await expectEnvelope(await createKey(user.apiKey), API_KEY_LIMIT_REACHED(5));
    expect(await liveKeys(user.id)).toBe(5);

    // Revoked keys do not count.
    const [other] = await t.db.query('SELECT id FROM api_keys WHERE user_id = $1 AND id <> $2 ORDER BY id LIMIT 1', [
      user.id,
      user.apiKeyId,
    ]);
    const revoked = await t.request(`/v1/user/api-keys/${other.id}`, {
      method: 'DELETE',
      headers: { 'X-API-Key': user.apiKey },
    });
    expect(revoked.status).toBe(200);
    expect((await createKey(user.apiKey)).status).toBe(201);
    expect(await liveKeys(user.id)).toBe(5);
  });

  it('holds under concurrent creations: never more than the cap', async () => {
    const user = await t.users.create();
    await Promise.all(Array.from({ length: 12 }, () => t.request('/health').then((r) => r.arrayBuffer())));
    const statuses = (await Promise.all(Array.from({ length: 12 }, () => createKey(user.apiKey)))).map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(4);
    expect(statuses.filter((s) => s === 409)).toHaveLength(8);
    expect(await liveKeys(user.id)).toBe(5);
  });

  it('pages GET /v1/user/api-keys like the other lists (skip, limit, X-Total-Count)', async () => {
    const user = await t.users.create();
    for (let i = 0; i < 3; i++) expect((await createKey(user.apiKey)).status).toBe(201);
    const ids = (await t.db.query('SELECT id FROM api_keys WHERE user_id = $1 ORDER BY created_at, id', [user.id])).map(
      (row: { id: string }) => row.id,
    );
    const response = await t.request('/v1/user/api-keys?skip=1&limit=2', { headers: { 'X-API-Key': user.apiKey } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-total-count')).toBe('4');
    expect((await response.json()).map((k: { id: string }) => k.id)).toEqual(ids.slice(1, 3));
    const all = await t.request('/v1/user/api-keys', { headers: { 'X-API-Key': user.apiKey } });
    expect(all.headers.get('x-total-count')).toBe('4');
    expect((await all.json()).map((k: { id: string }) => k.id)).toEqual(ids);
    await expectEnvelope(await t.request('/v1/user/api-keys?limit=101', { headers: { 'X-API-Key': user.apiKey } }), {
      status: 422,
      code: 'VALIDATION_ERROR',
      type: 'client_error',
      message: 'Some fields are invalid.',
      system_message: 'limit: limit must not be greater than 100',
      details: { fields: [{ field: 'limit', rule: 'max', message: 'limit must not be greater than 100' }] },
    });
  });
});

describe('the request rate limit counts per user', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_PER_USER_PER_MINUTE: '6' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('all keys of a user share one budget', async () => {
    const user = await t.users.create();
    const keys = [user.apiKey, await t.users.addKey(user.id), await t.users.addKey(user.id)];
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++) {
      const response = await t.request('/v1/user/me', { headers: { 'X-API-Key': keys[i % 3]! } });
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429, 429]);
    // Another user has a budget of their own.
    const other = await t.users.create();
    expect((await t.request('/v1/user/me', { headers: { 'X-API-Key': other.apiKey } })).status).toBe(200);
  });
});
