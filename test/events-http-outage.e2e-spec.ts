import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OwnNatsServer, readStream } from './support/nats.js';
import { waitUntil } from './support/nats-outbox.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The users service with NATS_URL on a nats-server of this file's own, stopped while users delete
 * their accounts over HTTP: the deletes answer as usual, and every event arrives once NATS is back.
 * Runs on PGlite and on PostgreSQL.
 */
describe('deletes over HTTP while NATS is down', () => {
  let nats: OwnNatsServer;
  let t: TestApp;

  beforeAll(async () => {
    nats = await new OwnNatsServer().start();
    t = await startTestApp({ NATS_URL: nats.url });
  });
  afterAll(async () => {
    await t?.close();
    await nats?.dispose();
  });

  const deletedEventIds = async (userIds: string[]): Promise<string[]> =>
    (
      await t.db.query<Array<{ event_id: string }>>(
        `SELECT event_id::text FROM outbox_events WHERE type = 'user.deleted' AND user_id = ANY($1) ORDER BY seq`,
        [userIds],
      )
    ).map((r) => r.event_id);

  it('50 deletes answer 200 with the usual body, and all 50 user.deleted events arrive once NATS is back', async () => {
    // The relay is connected and publishing before the outage.
    const first = await t.users.create();
    expect(
      (await t.request(`/v1/user/${first.id}`, { method: 'DELETE', headers: { 'X-API-Key': first.apiKey } })).status,
    ).toBe(200);
    await waitUntil(async () => (await readStream(nats.url, 'USERS')).length === 2, 'the first delete on the stream');

    await nats.stop();
    const users = await Promise.all(Array.from({ length: 50 }, () => t.users.create()));
    const answers = [];
    for (const user of users) {
      const response = await t.request(`/v1/user/${user.id}`, {
        method: 'DELETE',
        headers: { 'X-API-Key': user.apiKey },
      });
      answers.push({ status: response.status, body: await response.json() });
    }
    expect(answers).toEqual(
      users.map((user) => ({
        status: 200,
        body: { success: true, message: 'User account deleted successfully', user_id: user.id },
      })),
    );
    const ready = (await (await t.request('/health/ready')).json()) as {
      outbox: { pending: number; outage_since: string | null };
    };
    expect(ready.outbox.pending).toBeGreaterThanOrEqual(100); // user.deleted + api_key.revoked each

    await nats.start();
    const expected = await deletedEventIds(users.map((u) => u.id));
    expect(expected).toHaveLength(50);
    await waitUntil(
      async () => {
        const onStream = new Set((await readStream(nats.url, 'USERS')).map((m) => m.msgId));
        return expected.every((id) => onStream.has(id));
      },
      'all 50 deletes on the stream',
      45_000,
    );
    const deletes = (await readStream(nats.url, 'USERS')).filter((m) => m.subject === 'users.user.deleted');
    expect(deletes.map((m) => m.msgId)).toEqual([await deletedEventIds([first.id]), expected].flat());
  }, 90_000);
});
