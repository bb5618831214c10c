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

describe('GET /health/ready with a large outbox backlog', () => {
  let t: TestApp;

  beforeAll(async () => {
    // No NATS_URL: no relay, so the rows stay pending.
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('counts pending events up to 10001 at most ("more than 10000"), and still finds the oldest', async () => {
    // One published event, older than all: neither counted nor the oldest pending.
    await t.db.query(
      `INSERT INTO outbox_events (event_id, type, user_id, occurred_at, version, published_at)
       VALUES (gen_random_uuid(), 'user.created', 'usr_${'f'.repeat(32)}', '2025-01-01T00:00:00Z', 1, now())`,
    );
    await t.db.query(
      `INSERT INTO outbox_events (event_id, type, user_id, occurred_at, version)
       SELECT gen_random_uuid(), 'user.created', 'usr_' || lpad(to_hex(g), 32, '0'),
              timestamptz '2026-01-01T00:00:00Z' + g * interval '1 second', 1
       FROM generate_series(1, 10050) AS g`,
    );
    const response = await t.request('/health/ready');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ok',
      database: 'up',
      outbox: {
        relay_enabled: false,
        outage_since: null,
        pending: 10001,
        oldest_pending_at: '2026-01-01T00:00:01.000Z',
      },
    });
  });
});
