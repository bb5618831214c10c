import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Global, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { randomBytes } from 'node:crypto';
import { type DataSource, IsNull } from 'typeorm';
import { USER_EVENT_JSON_SCHEMA, type UserEvent } from '@users-service/users/events';
import {
  OutboxEventEntity,
  OutboxRelay,
  type OutboxRelayOptions,
  OutboxRelayModule,
  recordEvent,
} from '@users-service/users';
import { deleteStream, NATS_URL, readStream, tapSubjects, uniqueStream } from './support/nats.js';
import { openOutboxDatabase, type OutboxDatabase, waitUntil } from './support/nats-outbox.js';

// ajv-formats is CommonJS; its default export is the function under ESM interop.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

const newUserId = (): string => `usr_${randomBytes(16).toString('hex')}`;

/** Options of a relay of this test: its own stream, quick polls. */
function relayOptions(stream: { stream: string; subjectPrefix: string }, extra: Partial<OutboxRelayOptions> = {}) {
  return { natsUrl: NATS_URL, ...stream, pollIntervalMs: 50, ...extra };
}

async function pendingRows(db: DataSource): Promise<number> {
  return db.getRepository(OutboxEventEntity).countBy({ publishedAt: IsNull() });
}

describe('the transactional outbox and its relay to NATS JetStream', () => {
  let t: OutboxDatabase;
  const streams: string[] = [];
  const useStream = () => {
    const s = uniqueStream();
    streams.push(s.stream);
    return s;
  };

  beforeAll(async () => {
    t = await openOutboxDatabase();
  });
  afterAll(async () => {
    await t?.close();
    for (const s of streams) await deleteStream(NATS_URL, s);
  });

  it('has a migration that matches the outbox entity exactly', async () => {
    const sql = await t.db.driver.createSchemaBuilder().log();
    expect(sql.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('publishes each event to users.<type> with the event id as message id and the documented payload, then marks it published', async () => {
    const stream = useStream();
    const userId = newUserId();
    const occurredAt = new Date('2026-11-29T10:00:00.123Z');
    const written = await t.db.transaction(async (m) => [
      await recordEvent(m, {
        type: 'user.created',
        userId,
        actorUserId: 'usr_' + 'a'.repeat(32),
        traceId: 'req_1',
        occurredAt,
      }),
      await recordEvent(m, { type: 'api_key.revoked', userId, actorUserId: userId, traceId: 'trace-2' }),
      await recordEvent(m, { type: 'user.deleted', userId, actorUserId: userId, traceId: 'trace-2' }),
    ]);
    expect(written[0]).toEqual({
      event_id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      type: 'user.created',
      occurred_at: '2026-11-29T10:00:00.123Z',
      user_id: userId,
      actor_user_id: 'usr_' + 'a'.repeat(32),
      trace_id: 'req_1',
      version: 1,
    });

    const relay = new OutboxRelay(t.db, relayOptions(stream));
    relay.start();
    try {
      await waitUntil(async () => (await relay.status()).pending === 0, 'the relay to publish');
    } finally {
      await relay.stop();
    }

    const messages = await readStream(NATS_URL, stream.stream);
    expect(messages.map((m) => ({ subject: m.subject, msgId: m.msgId, payload: m.payload }))).toEqual(
      written.map((event) => ({
        subject: `${stream.subjectPrefix}.${event.type}`,
        msgId: event.event_id,
        payload: event,
      })),
    );
    const validate = addFormats(new Ajv2020({ strict: true, allErrors: true })).compile(USER_EVENT_JSON_SCHEMA);
    for (const m of messages)
      expect({ valid: validate(m.payload), errors: validate.errors ?? null }).toEqual({ valid: true, errors: null });

    const rows = await t.db.getRepository(OutboxEventEntity).find({ where: { userId }, order: { seq: 'ASC' } });
    expect(rows.map((r) => [r.eventId, r.publishedAt instanceof Date, r.claimedUntil])).toEqual(
      written.map((e) => [e.event_id, true, null]),
    );
  });

  it('writes no event when the transaction rolls back, and publishes none', async () => {
    const stream = useStream();
    const rolledBack = newUserId();
    const kept = newUserId();
    await expect(
      t.db.transaction(async (m) => {
        await recordEvent(m, { type: 'user.deleted', userId: rolledBack, actorUserId: rolledBack, traceId: 'rb' });
        throw new Error('the delete failed after its event was written');
      }),
    ).rejects.toThrow('the delete failed after its event was written');
    await t.db.transaction((m) =>
      recordEvent(m, { type: 'user.deleted', userId: kept, actorUserId: kept, traceId: 'ok' }),
    );
    expect(await t.db.getRepository(OutboxEventEntity).countBy({ userId: rolledBack })).toBe(0);

    const relay = new OutboxRelay(t.db, relayOptions(stream));
    relay.start();
    try {
      await waitUntil(async () => (await relay.status()).pending === 0, 'the relay to publish');
    } finally {
      await relay.stop();
    }
    expect((await readStream(NATS_URL, stream.stream)).map((m) => m.payload.user_id)).toEqual([kept]);
  });

  it('two relays publish each of 500 events exactly once, each user’s events in the order written', async () => {
    const stream = useStream();
    const users = Array.from({ length: 50 }, newUserId);
    const written: UserEvent[] = [];
    // 10 rounds over 50 users, 50 events per transaction: each user's events are interleaved with others'.
    for (let round = 0; round < 10; round++) {
      written.push(
        ...(await t.db.transaction(async (m) => {
          const out: UserEvent[] = [];
          for (const userId of users) {
            out.push(
              await recordEvent(m, {
                type: round % 2 ? 'user.restored' : 'user.deleted',
                userId,
                actorUserId: null,
                traceId: `r${round}`,
              }),
            );
          }
          return out;
        })),
      );
    }
    const tap = await tapSubjects(NATS_URL, stream.subjectPrefix);
    // On PostgreSQL each relay has a pool of its own, as replicas would; PGlite has one connection.
    const relays = [
      new OutboxRelay(await t.open(), relayOptions(stream, { batchSize: 7 })),
      new OutboxRelay(await t.open(), relayOptions(stream, { batchSize: 13 })),
    ];
    for (const relay of relays) relay.start();
    try {
      await waitUntil(
        async () => (await relays[0]!.status()).pending === 0,
        'the relays to publish 500 events',
        50_000,
      );
      await tap.nc.flush();
    } finally {
      await Promise.all(relays.map((r) => r.stop()));
      await tap.close();
    }

    // What was sent, duplicates included (a core subscription sees what JetStream would drop).
    expect(tap.seen).toHaveLength(500);
    expect(new Set(tap.seen).size).toBe(500);
    const messages = await readStream(NATS_URL, stream.stream);
    expect(messages).toHaveLength(500);
    const byUser = (events: Array<{ user_id: unknown; event_id: unknown }>) =>
      users.map((u) => events.filter((e) => e.user_id === u).map((e) => e.event_id));
    expect(byUser(messages.map((m) => m.payload as { user_id: unknown; event_id: unknown }))).toEqual(byUser(written));
  }, 60_000);

  it('trims published rows older than the retention, and keeps pending and recent ones', async () => {
    const stream = useStream();
    const userId = newUserId();
    const events = await t.db.transaction(async (m) => [
      await recordEvent(m, { type: 'user.deleted', userId, actorUserId: userId, traceId: null }),
      await recordEvent(m, { type: 'user.restored', userId, actorUserId: 'system', traceId: null }),
      await recordEvent(m, { type: 'user.deleted', userId, actorUserId: userId, traceId: null }),
    ]);
    const repo = t.db.getRepository(OutboxEventEntity);
    await repo.update({ eventId: events[0]!.event_id }, { publishedAt: new Date(Date.now() - 73 * 3_600_000) });
    await repo.update({ eventId: events[1]!.event_id }, { publishedAt: new Date(Date.now() - 71 * 3_600_000) });
    const relay = new OutboxRelay(t.db, relayOptions(stream, { retentionHours: 72 }));
    expect(await relay.trim()).toBe(1);
    expect((await repo.find({ where: { userId }, order: { seq: 'ASC' } })).map((r) => r.eventId)).toEqual([
      events[1]!.event_id,
      events[2]!.event_id,
    ]);
  });

  describe('OutboxRelayModule', () => {
    @Global()
    @Module({})
    class TestDataSourceModule {}

    const moduleWith = (options: OutboxRelayOptions) =>
      Test.createTestingModule({
        imports: [
          {
            module: TestDataSourceModule,
            providers: [{ provide: getDataSourceToken(), useValue: t.db }],
            exports: [getDataSourceToken()],
          },
          OutboxRelayModule.forRoot(options),
        ],
      }).compile();

    it('without a NATS URL does not publish: the events wait, and status() says so', async () => {
      const userId = newUserId();
      await t.db.transaction((m) =>
        recordEvent(m, { type: 'user.deleted', userId, actorUserId: userId, traceId: null }),
      );
      const app = await moduleWith({ natsUrl: null });
      await app.init();
      try {
        await new Promise((r) => setTimeout(r, 300));
        const status = await app.get(OutboxRelay).status();
        expect({ ...status, oldestPendingAt: status.oldestPendingAt instanceof Date }).toEqual({
          enabled: false,
          outageSince: null,
          pending: await pendingRows(t.db),
          oldestPendingAt: true,
        });
        expect(status.pending).toBeGreaterThanOrEqual(1);
      } finally {
        await app.close();
      }
    });

    it('with a NATS URL publishes from application start, and stops at shutdown', async () => {
      const stream = useStream();
      const app = await moduleWith(relayOptions(stream));
      await app.init();
      try {
        await waitUntil(async () => (await app.get(OutboxRelay).status()).pending === 0, 'the relay to publish');
      } finally {
        await app.close();
      }
      // What the previous test left pending is now on this stream too.
      expect((await readStream(NATS_URL, stream.stream)).length).toBeGreaterThanOrEqual(1);
    });
  });
});
