import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { type ChildServer, randomApiKey, startChildServer } from './support/child-server.js';
import { RATE_LIMITED_USER, rateLimitHeaders } from './support/rate-limit.js';
import { expectEnvelope } from './support/envelope.js';
import { createPostgresDatabase, engine } from './support/test-app.js';

const REDIS_URL = process.env.TEST_REDIS_URL;
const LIMIT = 25;

// Two replicas need a database both can reach (PostgreSQL) and a Redis: CI (.ci/run) starts Redis
// and sets TEST_REDIS_URL; without it this spec is skipped.
(engine() !== 'postgres' || !REDIS_URL ? describe.skip : describe)(
  'rate limit shared by two service processes (Redis)',
  () => {
    let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
    const servers: ChildServer[] = [];

    beforeAll(async () => {
      database = await createPostgresDatabase();
    });
    afterAll(async () => {
      for (const server of servers) server.kill();
      await Promise.all(servers.map((s) => s.exited));
      await database?.drop();
    });

    it('accepts at most RATE_LIMIT_PER_USER_PER_MINUTE requests of one key across both replicas', async () => {
      const adminKey = randomApiKey();
      const env = {
        DATABASE_URL: database.url,
        BOOTSTRAP_ADMIN_KEY: adminKey,
        REDIS_URL: REDIS_URL!,
        // A prefix of this run's own, so that no other run or test shares its counters.
        REDIS_KEY_PREFIX: `users-service-test:${randomBytes(6).toString('hex')}:`,
        RATE_LIMIT_PER_USER_PER_MINUTE: String(LIMIT),
        // 80 requests at once can delay a reply past the 50 ms default on a busy event loop; a slow
        // reply is then a store failure (let through uncounted), which is not what this spec is about.
        REDIS_COMMAND_TIMEOUT_MS: '1000',
      };
      // One after the other: the first runs the migrations.
      servers.push(await startChildServer(env, 'replica-a'));
      servers.push(await startChildServer(env, 'replica-b'));

      const created = await servers[0]!.request('/v1/user', {
        method: 'POST',
        headers: { 'X-API-Key': adminKey, 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: 'limited@example.test' }),
      });
      expect(created.status).toBe(201);
      const { api_key: apiKey } = (await created.json()) as { api_key: string };

      const forbiddenDelete = (replica: number) =>
        servers[replica]!.request('/v1/user/usr_00000000000000000000000000000000', {
          method: 'DELETE',
          headers: { 'X-API-Key': apiKey },
        }).then((response) => ({ replica, response }));

      // Deleting an account that is not the caller's is 403 and changes nothing: every accepted
      // request is a 403. First 10 in turn, A, B, A, B...: one counter, so Remaining counts down
      // across the replicas; then 70 at once, split between them.
      const inTurn = [];
      for (let i = 0; i < 10; i++) inTurn.push(await forbiddenDelete(i % 2));
      expect(inTurn.map((r) => rateLimitHeaders(r.response).remaining)).toEqual(
        Array.from({ length: 10 }, (_, i) => LIMIT - 1 - i),
      );
      const burst = await Promise.all(Array.from({ length: 70 }, (_, i) => forbiddenDelete(i % 2)));
      const responses = [...inTurn, ...burst];
      const accepted = responses.filter((r) => r.response.status === 403);
      const refused = responses.filter((r) => r.response.status === 429);
      expect(accepted.length + refused.length).toBe(80);
      expect(accepted.length).toBeLessThanOrEqual(LIMIT);
      // The counter is atomic, so the budget is used up exactly.
      expect(accepted.length).toBe(LIMIT);
      const remaining = accepted.map((r) => rateLimitHeaders(r.response).remaining).sort((a, b) => a - b);
      expect(remaining).toEqual(Array.from({ length: LIMIT }, (_, i) => i));
      for (const { response } of refused) {
        await expectEnvelope(response, {
          ...RATE_LIMITED_USER,
          details: { limit: LIMIT, retry_after_seconds: expect.any(Number) },
        });
      }
      console.info(`redis rate limit: 80 requests over 2 replicas, ${accepted.length} accepted (limit ${LIMIT})`);
    });
  },
);
