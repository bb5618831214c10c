import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Global, Injectable, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { getDataSourceToken, InjectDataSource } from '@nestjs/typeorm';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  OnUserEvent,
  type UserEvent,
  type UserEventDelivery,
  UserEventsConsumer,
  UsersEventsModule,
} from '@users-service/users/events';
import { OutboxRelay, recordEvent } from '@users-service/users';
import { deleteStream, NATS_URL, uniqueStream } from './support/nats.js';
import { openOutboxDatabase, type OutboxDatabase, RecordingLogger, waitUntil } from './support/nats-outbox.js';

const newUserId = (): string => `usr_${randomBytes(16).toString('hex')}`;

/**
 * What a neighbour's handler looks like (docs/events.md): its work and the record of the event id
 * commit in one transaction, and an event id already recorded is acknowledged without acting.
 * `consumer_events` and `hidden_users` stand for the neighbour's own tables.
 */
@Injectable()
class HideDeletedUsers {
  /** Every call, acted on or not: [event_id, deliveryCount, acted]. */
  readonly calls: Array<[string, number, boolean]> = [];
  /** Event ids whose first delivery fails after its transaction committed (as if the ack were lost). */
  readonly failAfterCommit = new Set<string>();

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @OnUserEvent('user.deleted')
  async onUserDeleted(event: UserEvent, delivery: UserEventDelivery): Promise<void> {
    const acted = await this.db.transaction(async (m) => {
      const first: unknown[] = await m.query(
        `INSERT INTO consumer_events (consumer, event_id) VALUES ('notes', $1) ON CONFLICT DO NOTHING RETURNING event_id`,
        [event.event_id],
      );
      if (first.length === 0) return false;
      await m.query(`INSERT INTO hidden_users (user_id, event_id) VALUES ($1, $2)`, [event.user_id, event.event_id]);
      return true;
    });
    this.calls.push([event.event_id, delivery.deliveryCount, acted]);
    if (delivery.deliveryCount === 1 && this.failAfterCommit.has(event.event_id)) {
      throw new Error('crashed before the ack');
    }
  }
}

describe('UsersEventsModule: a durable JetStream consumer with @OnUserEvent handlers', () => {
  let t: OutboxDatabase;
  const stream = uniqueStream();
  const durableName = `notes_${randomBytes(4).toString('hex')}`;
  let relay: OutboxRelay;

  @Global()
  @Module({})
  class TestDataSourceModule {}

  const startConsumer = async (logger = new RecordingLogger()): Promise<TestingModule> => {
    const app = await Test.createTestingModule({
      imports: [
        {
          module: TestDataSourceModule,
          providers: [{ provide: getDataSourceToken(), useValue: t.db }],
          exports: [getDataSourceToken()],
        },
        UsersEventsModule.forRoot({ natsUrl: NATS_URL, durableName, ...stream, redeliveryDelayMs: 100, logger }),
      ],
      providers: [HideDeletedUsers],
    }).compile();
    await app.init();
    return app;
  };

  const write = (type: UserEvent['type'], userId: string) =>
    t.db.transaction((m) => recordEvent(m, { type, userId, actorUserId: userId, traceId: `trace-${type}` }));

  const hiddenUsers = async (): Promise<Array<{ user_id: string; event_id: string }>> =>
    t.db.query(`SELECT user_id, event_id::text FROM hidden_users ORDER BY user_id, event_id`);

  beforeAll(async () => {
    t = await openOutboxDatabase();
    await t.db.query(
      `CREATE TABLE consumer_events (consumer text NOT NULL, event_id uuid NOT NULL, PRIMARY KEY (consumer, event_id))`,
    );
    await t.db.query(`CREATE TABLE hidden_users (user_id text NOT NULL, event_id uuid NOT NULL)`);
    relay = new OutboxRelay(t.db, { natsUrl: NATS_URL, ...stream, pollIntervalMs: 50 });
    relay.start();
  });
  afterAll(async () => {
    await relay?.stop();
    await t?.close();
    await deleteStream(NATS_URL, stream.stream);
  });

  it('acts once per event: on a redelivery after a failed ack and on a re-published duplicate; events of unhandled types are skipped', async () => {
    const logger = new RecordingLogger();
    const app = await startConsumer(logger);
    const handler = app.get(HideDeletedUsers);
    try {
      expect(app.get(UserEventsConsumer).handledTypes()).toEqual(['user.deleted']);
      const a = newUserId();
      const b = newUserId();
      await write('user.created', a);
      const deletedA = await write('user.deleted', a);
      const deletedB = await write('user.deleted', b);
      handler.failAfterCommit.add(deletedB.event_id);

      await waitUntil(() => handler.calls.length >= 3, 'the handler to see both deletes and the redelivery');
      // The same event published again under another message id (e.g. after JetStream's window).
      const nc = await connect({ servers: NATS_URL });
      await jetstream(nc).publish(`${stream.subjectPrefix}.user.deleted`, JSON.stringify(deletedA), {
        msgID: `${deletedA.event_id}-again`,
      });
      await nc.close();
      await waitUntil(() => handler.calls.length >= 4, 'the handler to see the duplicate');
      await new Promise((r) => setTimeout(r, 500));

      expect(handler.calls).toEqual([
        [deletedA.event_id, 1, true],
        [deletedB.event_id, 1, true],
        [deletedB.event_id, 2, false],
        [deletedA.event_id, 1, false],
      ]);
      expect(await hiddenUsers()).toEqual(
        [
          { user_id: a, event_id: deletedA.event_id },
          { user_id: b, event_id: deletedB.event_id },
        ].sort((x, y) => x.user_id.localeCompare(y.user_id)),
      );
      expect(logger.of('warn')).toEqual([
        `handler of user.deleted failed for event ${deletedB.event_id} (delivery 1): crashed before the ack; redelivery in 100 ms`,
      ]);
    } finally {
      await app.close();
    }
  });

  it('a consumer that was down catches up when it starts, from where its durable consumer stopped', async () => {
    const before = await hiddenUsers();
    const users = Array.from({ length: 5 }, newUserId);
    const events: UserEvent[] = [];
    for (const u of users) events.push(await write('user.deleted', u));
    await waitUntil(
      async () => (await relay.status()).pending === 0,
      'the relay to publish while the consumer is down',
    );

    const app = await startConsumer();
    const handler = app.get(HideDeletedUsers);
    try {
      await waitUntil(() => handler.calls.length >= 5, 'the consumer to catch up');
      await new Promise((r) => setTimeout(r, 300));
      // Only the events it had not acknowledged before, in the order they were published.
      expect(handler.calls).toEqual(events.map((e) => [e.event_id, 1, true]));
      expect((await hiddenUsers()).length).toBe(before.length + 5);
    } finally {
      await app.close();
    }
  });
  it('terminates a message that is not a user event (no retry) and goes on with the next', async () => {
    const logger = new RecordingLogger();
    const app = await startConsumer(logger);
    const handler = app.get(HideDeletedUsers);
    try {
      const nc = await connect({ servers: NATS_URL });
      await jetstream(nc).publish(`${stream.subjectPrefix}.user.deleted`, 'not json');
      await jetstream(nc).publish(`${stream.subjectPrefix}.user.deleted`, JSON.stringify({ type: 'user.exploded' }));
      await nc.close();
      const next = await write('user.deleted', newUserId());
      await waitUntil(() => handler.calls.length >= 1, 'the handler to see the next event');
      await new Promise((r) => setTimeout(r, 500));
      expect(handler.calls).toEqual([[next.event_id, 1, true]]);
      expect(logger.of('error')).toEqual([
        expect.stringMatching(
          new RegExp(`^dropping unreadable message \\d+ on ${stream.subjectPrefix}\\.user\\.deleted$`),
        ),
        expect.stringMatching(
          new RegExp(`^dropping unreadable message \\d+ on ${stream.subjectPrefix}\\.user\\.deleted$`),
        ),
      ]);
      expect(logger.of('warn')).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
