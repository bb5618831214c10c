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

const BACK = 'Redis (rate-limit counters) is back; rate limits apply again.';

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
      RATE_LIMIT_PER_USER_PER_MINUTE: '100',
      ...overrides,
    });
  /** An authenticated request that changes nothing: deleting someone else's account is 403. */
  const forbiddenDelete = (app: TestApp, apiKey: string) =>
    app.request('/v1/user/usr_00000000000000000000000000000000', {
      method: 'DELETE',
      headers: { 'X-API-Key': apiKey },
    });
  /**
   * Waits until Redis serves the app (a loaded machine may time out its first connection, which
   * is an outage of its own), and answers how many Redis lines the log has by then.
   */
  const healthy = async (app: TestApp, apiKey: string) => {
    await until(async () => {
      await forbiddenDelete(app, apiKey);
      const lines = redisLines(app.logFile);
      return lines.length === 0 || lines.at(-1) === BACK;
    });
    return redisLines(app.logFile).length;
  };
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
    const before = await healthy(app, user.apiKey);

    proxy.blackhole();
    const during = [];
    for (let i = 0; i < 10; i++) during.push(await timed(() => forbiddenDelete(app, user.apiKey)));
    for (const { response } of during) await expectEnvelope(response, DELETE_FORBIDDEN);
    const slowest = Math.max(...during.map((d) => d.ms));
    console.info(`redis hanging: 10 requests answered in ${during.map((d) => d.ms.toFixed(0)).join(', ')} ms`);
    expect(slowest).toBeLessThan(400);
    expect(redisLines(app.logFile).slice(before)).toEqual([
      expect.stringMatching(
        /^Redis \(rate-limit counters\) unavailable: .*let through.*RATE_LIMIT_ON_STORE_FAILURE=allow/,
      ),
    ]);

    proxy.restore();
    // Counted again: the answer carries the rate-limit headers.
    await until(async () => !Number.isNaN(rateLimitHeaders(await forbiddenDelete(app, user.apiKey)).remaining), 15_000);
    // The end is told after a second without failures.
    await until(async () => {
      await forbiddenDelete(app, user.apiKey);
      return redisLines(app.logFile).length > before + 1;
    }, 15_000);
    const lines = redisLines(app.logFile).slice(before);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe(BACK);
  });

  it('allow: while Redis is down (connections cut and refused) requests are answered at once', async () => {
    t = await start();
    const app = t;
    const user = await app.users.create();
    expect((await forbiddenDelete(app, user.apiKey)).status).toBe(403);
    const before = await healthy(app, user.apiKey);
    proxy.refuse();
    proxy.cutAll();
    const during = [];
    for (let i = 0; i < 10; i++) during.push(await timed(() => forbiddenDelete(app, user.apiKey)));
    for (const { response } of during) await expectEnvelope(response, DELETE_FORBIDDEN);
    expect(Math.max(...during.map((d) => d.ms))).toBeLessThan(400);
    await until(() => redisLines(app.logFile).length > before);
    expect(redisLines(app.logFile).slice(before)).toHaveLength(1);
  });

  it('deny: while Redis hangs requests get 503 SERVICE_UNAVAILABLE within ~50 ms', async () => {
    t = await start({ RATE_LIMIT_ON_STORE_FAILURE: 'deny' });
    const app = t;
    const user = await app.users.create();
    // Counted and answered while Redis is healthy. A loaded machine can make a command miss its
    // 50 ms even then, and in deny mode that is a 503 too: wait for the first counted answer.
    await until(async () => (await forbiddenDelete(app, user.apiKey)).status === 403);
    const before = await healthy(app, user.apiKey);
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
    expect(redisLines(app.logFile).slice(before)).toEqual([
      expect.stringMatching(/refused with 503.*RATE_LIMIT_ON_STORE_FAILURE=deny/),
    ]);
    // Public routes need no count: they still answer.
    expect((await app.request('/health/live')).status).toBe(200);
  });
});
