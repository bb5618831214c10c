import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { OutboxRelay, recordEvent } from '@users-service/users';
import { OnUserEvent, type UserEvent, UsersEventsModule } from '@users-service/users/events';
import { OwnNatsServer, readStream } from './support/nats.js';
import { openOutboxDatabase, type OutboxDatabase, RecordingLogger, waitUntil } from './support/nats-outbox.js';
import { TcpProxy } from './support/tcp-proxy.js';

const newUserId = (): string => `usr_${randomBytes(16).toString('hex')}`;

/**
 * NATS down or slow, on a nats-server of this file's own (the shared one stays up): the writes of
 * events go on as usual, the relay logs once per outage and once when it is over, and every event
 * written meanwhile is published once NATS is back.
 */
describe('the outbox relay when NATS is down or slow', () => {
  let t: OutboxDatabase;
  let nats: OwnNatsServer;

  beforeAll(async () => {
    t = await openOutboxDatabase();
    nats = await new OwnNatsServer().start();
  });
  afterAll(async () => {
    await t?.close();
    await nats?.dispose();
  });

  /** Writes one event per transaction, as 50 deletes would; returns them and the slowest write. */
  const writeEvents = async (n: number): Promise<{ events: UserEvent[]; slowestMs: number }> => {
    const events: UserEvent[] = [];
    let slowestMs = 0;
    for (let i = 0; i < n; i++) {
      const userId = newUserId();
      const started = performance.now();
      events.push(
        await t.db.transaction((m) =>
          recordEvent(m, { type: 'user.deleted', userId, actorUserId: userId, traceId: `d${i}` }),
        ),
      );
      slowestMs = Math.max(slowestMs, performance.now() - started);
    }
    return { events, slowestMs };
  };

  it('NATS down during 50 writes: the writes are unaffected, one warning, then all 50 arrive once NATS is back', async () => {
    const logger = new RecordingLogger();
    const relay = new OutboxRelay(t.db, {
      natsUrl: nats.url,
      pollIntervalMs: 50,
      publishTimeoutMs: 3000,
      backoffMs: { initial: 100, max: 400 },
      logger,
    });
    relay.start();
    try {
      const [first] = (await writeEvents(1)).events;
      await waitUntil(async () => (await relay.status()).pending === 0, 'the first event to be published');

      await nats.stop();
      const outage = await writeEvents(50);
      // The relay never holds a transaction while it waits for NATS (3 s here), so no write waits for it.
      expect(outage.slowestMs).toBeLessThan(1500);
      await waitUntil(() => logger.of('warn').length > 0, 'the outage warning');
      await new Promise((r) => setTimeout(r, 1500)); // several retries, each failing
      expect(logger.of('warn')).toEqual([
        expect.stringMatching(/^cannot publish events \(.+\); they wait in the outbox/),
      ]);
      const status = await relay.status();
      expect({ pending: status.pending, outage: status.outageSince instanceof Date }).toEqual({
        pending: 50,
        outage: true,
      });

      await nats.start();
      await waitUntil(async () => (await relay.status()).pending === 0, 'the relay to catch up', 30_000);
      expect(logger.of('warn')).toHaveLength(1);
      expect(logger.of('log')).toEqual([expect.stringMatching(/^publishing events again after \d+ s/)]);
      expect((await relay.status()).outageSince).toBeNull();

      const stored = await readStream(nats.url, 'USERS');
      expect(stored.map((m) => m.msgId)).toEqual([first!, ...outage.events].map((e) => e.event_id));
      expect(stored.map((m) => m.subject)).toEqual(Array(51).fill('users.user.deleted'));
    } finally {
      await relay.stop();
    }
  });

  it('NATS down when the relay starts: it retries, then publishes what waited', async () => {
    await nats.stop();
    const { events } = await writeEvents(3);
    const logger = new RecordingLogger();
    const relay = new OutboxRelay(t.db, {
      natsUrl: nats.url,
      pollIntervalMs: 50,
      backoffMs: { initial: 100, max: 400 },
      logger,
    });
    relay.start();
    try {
      await waitUntil(() => logger.of('warn').length > 0, 'the outage warning');
      await nats.start();
      await waitUntil(async () => (await relay.status()).pending === 0, 'the relay to catch up', 30_000);
      expect(logger.of('warn')).toHaveLength(1);
      expect(logger.of('log')).toHaveLength(1);
      const stored = await readStream(nats.url, 'USERS');
      expect(stored.slice(-3).map((m) => m.msgId)).toEqual(events.map((e) => e.event_id));
    } finally {
      await relay.stop();
    }
  });

  it('NATS slow (it stops answering): publishes time out, one warning, and the events go out when it answers again', async () => {
    const proxy = await new TcpProxy('127.0.0.1', nats.port).start();
    const logger = new RecordingLogger();
    const relay = new OutboxRelay(t.db, {
      natsUrl: `nats://127.0.0.1:${proxy.port}`,
      pollIntervalMs: 50,
      publishTimeoutMs: 500,
      backoffMs: { initial: 100, max: 400 },
      logger,
    });
    relay.start();
    try {
      await writeEvents(1);
      await waitUntil(async () => (await relay.status()).pending === 0, 'the first event to be published');
      proxy.blackhole();
      const { events, slowestMs } = await writeEvents(5);
      expect(slowestMs).toBeLessThan(1500);
      await waitUntil(() => logger.of('warn').length > 0, 'the warning', 30_000);
      proxy.restore();
      await waitUntil(async () => (await relay.status()).pending === 0, 'the relay to catch up', 30_000);
      expect(logger.of('warn')).toHaveLength(1);
      expect(logger.of('log')).toHaveLength(1);
      const stored = await readStream(nats.url, 'USERS');
      expect(stored.slice(-5).map((m) => m.msgId)).toEqual(events.map((e) => e.event_id));
    } finally {
      await relay.stop();
      await proxy.close();
    }
  });
  it('a consumer rides out a NATS restart: one warning at most, then it handles what is published after', async () => {
    @Injectable()
    class Seen {
      readonly ids: string[] = [];
      @OnUserEvent('user.deleted')
      onDeleted(event: UserEvent): void {
        this.ids.push(event.event_id);
      }
    }
    const logger = new RecordingLogger();
    const app = await Test.createTestingModule({
      imports: [UsersEventsModule.forRoot({ natsUrl: nats.url, durableName: 'outage', logger })],
      providers: [Seen],
    }).compile();
    await app.init();
    const relay = new OutboxRelay(t.db, {
      natsUrl: nats.url,
      pollIntervalMs: 50,
      backoffMs: { initial: 100, max: 400 },
    });
    relay.start();
    const seen = app.get(Seen);
    try {
      const before = (await writeEvents(1)).events;
      await waitUntil(() => seen.ids.includes(before[0]!.event_id), 'the consumer to see an event before the restart');
      await nats.stop();
      await new Promise((r) => setTimeout(r, 500));
      await nats.start();
      const after = (await writeEvents(3)).events;
      await waitUntil(
        () => after.every((e) => seen.ids.includes(e.event_id)),
        'the consumer to see events after the restart',
        45_000,
      );
      expect(logger.of('warn').length).toBeLessThanOrEqual(1);
      expect(logger.of('error')).toEqual([]);
    } finally {
      await relay.stop();
      await app.close();
    }
  }, 60_000);
});
