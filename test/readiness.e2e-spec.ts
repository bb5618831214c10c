import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('GET /health/ready under a flood of probes', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('asks the database at most once a second, however many probes arrive', async () => {
    // A spy, not a mock: every query still runs on the real database.
    const query = jest.spyOn(t.db, 'query');
    const pings = () => query.mock.calls.filter(([sql]) => sql === 'SELECT 1').length;
    try {
      await new Promise((r) => setTimeout(r, 1100));
      const started = Date.now();
      const flood = await Promise.all(Array.from({ length: 50 }, () => t.request('/health/ready')));
      for (let i = 0; i < 20; i++) flood.push(await t.request('/health/ready'));
      const elapsed = Date.now() - started;
      for (const response of flood) {
        expect(response.status).toBe(200);
        // Without NATS_URL the outbox's events wait; readiness says so and still answers 200.
        expect(await response.json()).toEqual({
          status: 'ok',
          database: 'up',
          outbox: expect.objectContaining({ relay_enabled: false, outage_since: null }),
        });
      }
      // 70 probes within about a second: one check, or two if the flood crossed the second.
      expect(pings()).toBeGreaterThanOrEqual(1);
      expect(pings()).toBeLessThanOrEqual(Math.ceil(elapsed / 1000) + 1);
      console.info(`readiness: 70 probes in ${elapsed} ms cost ${pings()} database check(s)`);
      // A second later the database is asked again.
      await new Promise((r) => setTimeout(r, 1100));
      const before = pings();
      expect((await t.request('/health/ready')).status).toBe(200);
      expect(pings()).toBe(before + 1);
    } finally {
      query.mockRestore();
    }
  });
});
