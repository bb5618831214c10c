import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DELETE_FORBIDDEN, expectEnvelope } from './support/envelope.js';
import { rateLimitHeaders } from './support/rate-limit.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const REDIS_URL = process.env.TEST_REDIS_URL;

/** Log lines of the rate limiter about Redis. */
function redisLines(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { context?: string; msg?: string })
    .filter((line) => line.context === 'RateLimit')
    .map((line) => line.msg ?? '');
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

// CI (.ci/run) starts Redis and sets TEST_REDIS_URL; without it this spec is skipped.
(REDIS_URL ? describe : describe.skip)('rate-limit counters in Redis that hangs or goes away', () => {
  let proxy: TcpProxy;
  let t: TestApp | undefined;

  beforeAll(async () => {
    const target = new URL(REDIS_URL!);
    proxy = await new TcpProxy(target.hostname, Number(target.port || 6379)).start();
  });
  afterEach(async () => {
    await t?.close();
    t = undefined;
    proxy.restore();
  });
  afterAll(async () => {
    await proxy?.close();
  });

  const start = (overrides: Record<string, string> = {}) =>
    startTestApp({
      REDIS_URL: proxy.via(REDIS_URL!),
      REDIS_KEY_PREFIX: `users-service-test:${randomBytes(6).toString('hex')}:`,
      RATE_LIMIT_PER_KEY_PER_MINUTE: '100',
      ...overrides,
    });
  /** An authenticated request that changes nothing: deleting someone else's account is 403. */
  const forbiddenDelete = (app: TestApp, apiKey: string) =>
    app.request('/v1/user/usr_00000000000000000000000000000000', {
      method: 'DELETE',
      headers: { 'X-API-Key': apiKey },
    });
  const timed = async (send: () => Promise<Response>) => {
    const started = performance.now();
    const response = await send();
    return { response, ms: performance.now() - started };
  };

  // Each test starts an app of its own: give a loaded machine time for that.
  jest.setTimeout(120_000);

  it('allow (default): while Redis hangs each request waits at most ~50 ms; the outage and its end are logged once', async () => {
    t = await start();
    const app = t;
    const user = await app.users.create();
    const counted = await forbiddenDelete(app, user.apiKey);
    expect(counted.status).toBe(403);
    expect(rateLimitHeaders(counted).remaining).toBe(99);

    proxy.blackhole();
    const during = [];
    for (let i = 0; i < 10; i++) during.push(await timed(() => forbiddenDelete(app, user.apiKey)));
    for (const { response } of during) await expectEnvelope(response, DELETE_FORBIDDEN);
    const slowest = Math.max(...during.map((d) => d.ms));
    console.info(`redis hanging: 10 requests answered in ${during.map((d) => d.ms.toFixed(0)).join(', ')} ms`);
    expect(slowest).toBeLessThan(400);
    expect(redisLines(app.logFile)).toEqual([
      expect.stringMatching(
        /^Redis \(rate-limit counters\) unavailable: .*let through.*RATE_LIMIT_ON_STORE_FAILURE=allow/,
      ),
    ]);

    proxy.restore();
    await until(async () => rateLimitHeaders(await forbiddenDelete(app, user.apiKey)).remaining < 99);
    // The end is told after a second without failures.
    await until(async () => {
      await forbiddenDelete(app, user.apiKey);
      return redisLines(app.logFile).length > 1;
    });
    const lines = redisLines(app.logFile);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('Redis (rate-limit counters) is back; rate limits apply again.');
  });

  it('allow: while Redis is down (connections cut and refused) requests are answered at once', async () => {
    t = await start();
    const app = t;
    const user = await app.users.create();
    expect((await forbiddenDelete(app, user.apiKey)).status).toBe(403);
    proxy.refuse();
    proxy.cutAll();
    const during = [];
    for (let i = 0; i < 10; i++) during.push(await timed(() => forbiddenDelete(app, user.apiKey)));
    for (const { response } of during) await expectEnvelope(response, DELETE_FORBIDDEN);
    expect(Math.max(...during.map((d) => d.ms))).toBeLessThan(400);
    await until(() => redisLines(app.logFile).length > 0);
    expect(redisLines(app.logFile)).toHaveLength(1);
  });

  it('deny: while Redis hangs requests get 503 SERVICE_UNAVAILABLE within ~50 ms', async () => {
    t = await start({ RATE_LIMIT_ON_STORE_FAILURE: 'deny' });
    const app = t;
    const user = await app.users.create();
    expect((await forbiddenDelete(app, user.apiKey)).status).toBe(403);
    proxy.blackhole();
    for (let i = 0; i < 5; i++) {
      const { response, ms } = await timed(() => forbiddenDelete(app, user.apiKey));
      expect(ms).toBeLessThan(400);
      await expectEnvelope(response, {
        status: 503,
        code: 'SERVICE_UNAVAILABLE',
        type: 'server_error',
        message: 'The service is temporarily unavailable. Please try again later.',
        system_message: 'The rate-limit counters are unavailable.',
      });
      expect(response.headers.get('retry-after')).toBe('5');
    }
    expect(redisLines(app.logFile)).toEqual([
      expect.stringMatching(/refused with 503.*RATE_LIMIT_ON_STORE_FAILURE=deny/),
    ]);
    // Public routes need no count: they still answer.
    expect((await app.request('/health/live')).status).toBe(200);
  });
});
