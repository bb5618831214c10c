import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { ApiKeysService } from '@users-service/users';
import { DELETE_FORBIDDEN, expectEnvelope, INVALID_API_KEY } from './support/envelope.js';
import { RATE_LIMITED_IP, RATE_LIMITED_USER, rateLimitHeaders } from './support/rate-limit.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const BAD_KEY = `ak_${'B'.repeat(40)}`;

/** An authenticated request that changes nothing: deleting someone else's account is 403. */
const forbiddenDelete = (t: TestApp, apiKey: string, headers: Record<string, string> = {}) =>
  t.request('/v1/user/usr_00000000000000000000000000000000', {
    method: 'DELETE',
    headers: { 'X-API-Key': apiKey, ...headers },
  });

describe('rate limits (counters in memory; no proxy trusted)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_PER_USER_PER_MINUTE: '5', RATE_LIMIT_FAILED_AUTH_PER_MINUTE: '3' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('counts each API key on its own: the limit is served with X-RateLimit-* headers, then 429 with Retry-After', async () => {
    const alice = await t.users.create();
    const bob = await t.users.create();

    for (let i = 1; i <= 5; i++) {
      const response = await forbiddenDelete(t, alice.apiKey);
      await expectEnvelope(response, DELETE_FORBIDDEN);
      const headers = rateLimitHeaders(response);
      expect(headers).toMatchObject({ limit: 5, remaining: 5 - i });
      expect(headers.reset).toBeGreaterThanOrEqual(1);
      expect(headers.reset).toBeLessThanOrEqual(60);
    }
    const refused = await forbiddenDelete(t, alice.apiKey);
    const body = await expectEnvelope(refused, {
      ...RATE_LIMITED_USER,
      details: { limit: 5, retry_after_seconds: expect.any(Number) },
    });
    const headers = rateLimitHeaders(refused);
    expect(headers).toMatchObject({ limit: 5, remaining: 0 });
    expect(headers.retryAfter).toBeGreaterThanOrEqual(1);
    expect(headers.retryAfter).toBeLessThanOrEqual(60);
    expect(headers.reset).toBe(headers.retryAfter);
    expect(body.error.details.retry_after_seconds).toBe(headers.retryAfter);

    // Another key has its own budget.
    const other = await forbiddenDelete(t, bob.apiKey);
    await expectEnvelope(other, DELETE_FORBIDDEN);
    expect(rateLimitHeaders(other)).toMatchObject({ limit: 5, remaining: 4 });
  });

  it('public routes are not counted and carry no rate-limit headers', async () => {
    const response = await t.request('/health/live');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-ratelimit-limit')).toBeNull();
  });

  it('after the failed-authentication limit an IP is refused before any key lookup, and X-Forwarded-For does not help', async () => {
    const good = await t.users.create();
    const apiKeys = t.app.get(ApiKeysService);
    const lookups = jest.spyOn(apiKeys, 'authenticate');
    try {
      for (let i = 0; i < 3; i++) {
        // A different forwarded address each time: ignored, since no proxy is trusted.
        await expectEnvelope(
          await forbiddenDelete(t, BAD_KEY, { 'X-Forwarded-For': `203.0.113.${i}` }),
          INVALID_API_KEY,
        );
      }
      expect(lookups).toHaveBeenCalledTimes(3);

      for (const key of [BAD_KEY, good.apiKey, 'not-even-a-key']) {
        const response = await forbiddenDelete(t, key, { 'X-Forwarded-For': '198.51.100.7' });
        await expectEnvelope(response, {
          ...RATE_LIMITED_IP,
          details: { limit: 3, retry_after_seconds: expect.any(Number) },
        });
        expect(rateLimitHeaders(response)).toMatchObject({ limit: 3, remaining: 0 });
      }
      // The refused requests cost no lookup, so no database round trip.
      expect(lookups).toHaveBeenCalledTimes(3);
    } finally {
      lookups.mockRestore();
    }
  });
});

describe('rate limits behind a trusted proxy (TRUST_PROXY=127.0.0.1)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_FAILED_AUTH_PER_MINUTE: '2', TRUST_PROXY: '127.0.0.1' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('counts failed authentications per client address taken from X-Forwarded-For', async () => {
    const user = await t.users.create();
    const from = (ip: string, key: string) => forbiddenDelete(t, key, { 'X-Forwarded-For': ip });

    await expectEnvelope(await from('203.0.113.1', BAD_KEY), INVALID_API_KEY);
    await expectEnvelope(await from('203.0.113.1', BAD_KEY), INVALID_API_KEY);
    await expectEnvelope(await from('203.0.113.1', user.apiKey), {
      ...RATE_LIMITED_IP,
      details: { limit: 2, retry_after_seconds: expect.any(Number) },
    });
    // Another client behind the same proxy is not affected.
    await expectEnvelope(await from('203.0.113.2', user.apiKey), DELETE_FORBIDDEN);
    await expectEnvelope(await from('203.0.113.2', BAD_KEY), INVALID_API_KEY);
    // Nor by spelling its address another way, or taking another address of its IPv6 /64.
    await expectEnvelope(await from('::ffff:203.0.113.1', user.apiKey), {
      ...RATE_LIMITED_IP,
      details: { limit: 2, retry_after_seconds: expect.any(Number) },
    });
    await expectEnvelope(await from('2001:db8:0:5::1', BAD_KEY), INVALID_API_KEY);
    await expectEnvelope(await from('2001:DB8:0:5:0:0:0:2', BAD_KEY), INVALID_API_KEY);
    await expectEnvelope(await from('2001:db8:0:5:ffff:eeee:dddd:3', user.apiKey), {
      ...RATE_LIMITED_IP,
      details: { limit: 2, retry_after_seconds: expect.any(Number) },
    });
    await expectEnvelope(await from('2001:db8:0:6::1', user.apiKey), DELETE_FORBIDDEN);
    // A client cannot escape by prepending addresses: the proxy's hop (the last one) decides.
    await expectEnvelope(await from('10.9.9.9, 203.0.113.1', user.apiKey), {
      ...RATE_LIMITED_IP,
      details: { limit: 2, retry_after_seconds: expect.any(Number) },
    });
  });
});

describe('the deprecated name RATE_LIMIT_PER_KEY_PER_MINUTE', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_PER_KEY_PER_MINUTE: '2' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('still sets the per-user limit, and start-up warns once, naming RATE_LIMIT_PER_USER_PER_MINUTE', async () => {
    const user = await t.users.create();
    await expectEnvelope(await forbiddenDelete(t, user.apiKey), DELETE_FORBIDDEN);
    await expectEnvelope(await forbiddenDelete(t, user.apiKey), DELETE_FORBIDDEN);
    await expectEnvelope(await forbiddenDelete(t, user.apiKey), {
      ...RATE_LIMITED_USER,
      details: { limit: 2, retry_after_seconds: expect.any(Number) },
    });
    const warnings = readFileSync(t.logFile, 'utf8')
      .split('\n')
      .filter((line) => line.includes('RATE_LIMIT_PER_KEY_PER_MINUTE'))
      .map((line) => JSON.parse(line) as { level: number; context: string; msg: string });
    expect(warnings).toEqual([
      expect.objectContaining({
        level: 40,
        context: 'Configuration',
        msg:
          "RATE_LIMIT_PER_KEY_PER_MINUTE is deprecated: it is a budget per user (all of a user's keys share it), " +
          'so it is now called RATE_LIMIT_PER_USER_PER_MINUTE. Rename it; the old name will stop working.',
      }),
    ]);
  });
});
