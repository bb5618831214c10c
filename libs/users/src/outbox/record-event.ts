import type { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { Caller } from '../auth/caller.js';
import { PreparedStatement } from '../database/prepared-statements.js';
import { USER_EVENT_VERSION, type UserEvent, type UserEventType } from '../events/user-event.js';
import { OutboxEventEntity } from './outbox-event.entity.js';

/** What a change tells `recordEvent`; the rest of the payload is filled in. */
export interface NewUserEvent {
  type: UserEventType;
  userId: string;
  actorUserId: string | null;
  traceId: string | null;
  /** Defaults to now; pass the change's own timestamp (e.g. `deleted_at`) to make them equal. */
  occurredAt?: Date;
}

/** The event of a change `caller` made to `userId`: actor and trace id from the caller. */
export function eventBy(caller: Caller, type: UserEventType, userId: string): NewUserEvent {
  return { type, userId, actorUserId: caller.userId, traceId: caller.traceId };
}

/**
 * Appends an event to the outbox. Call it with the entity manager of the transaction that makes
 * the change, as its last statement: the event then exists exactly when the change commits, and
 * a rollback leaves none. Returns the payload the relay will publish.
 */
export async function recordEvent(manager: EntityManager, event: NewUserEvent): Promise<UserEvent> {
  const [recorded] = await recordEvents(manager, [event]);
  return recorded!;
}

/** `recordEvent` for several events, in one INSERT, in the order given. */
export async function recordEvents(manager: EntityManager, events: NewUserEvent[]): Promise<UserEvent[]> {
  if (events.length === 0) return [];
  const now = new Date();
  const rows = events.map((event) => ({
    eventId: uuidv7(),
    type: event.type,
    userId: event.userId,
    actorUserId: event.actorUserId,
    traceId: event.traceId,
    occurredAt: event.occurredAt ?? now,
    version: USER_EVENT_VERSION,
  }));
  await manager.createQueryBuilder().insert().into(OutboxEventEntity).values(rows).updateEntity(false).execute();
  return rows.map(toUserEvent);
}

/**
 * The outbox INSERT of the soft delete's hot path, as a prepared statement (see
 * prepared-statements.ts): one statement, whatever the number of events, for events of one user
 * by one caller, stamped with the transaction's `now()` (the same instant as the change's own
 * `now()`, e.g. `deleted_at`). Parameters from `userEventValues`.
 */
export const RECORD_USER_EVENTS = new PreparedStatement(
  'users_outbox_record_v1',
  (db: DataSource) =>
    db
      .createQueryBuilder()
      .insert()
      .into(OutboxEventEntity, ['eventId', 'type', 'userId', 'actorUserId', 'traceId', 'occurredAt', 'version'])
      .valuesFromSelect((qb) =>
        qb
          .select('unnest(CAST(:eventIds AS uuid[]))')
          .addSelect('unnest(CAST(:types AS text[]))')
          .addSelect('CAST(:userId AS text)')
          .addSelect('CAST(:actorUserId AS text)')
          .addSelect('CAST(:traceId AS text)')
          .addSelect('now()')
          .addSelect(`${USER_EVENT_VERSION}`)
          .fromDummy(),
      )
      .updateEntity(false),
  ['eventIds', 'types', 'userId', 'actorUserId', 'traceId'],
);

/** The parameters of RECORD_USER_EVENTS: `types` about `userId`, made by `caller`, in this order. */
export function userEventValues(types: UserEventType[], userId: string, caller: Caller) {
  return {
    eventIds: types.map(() => uuidv7()),
    types,
    userId,
    actorUserId: caller.userId,
    traceId: caller.traceId,
  };
}

/** The published payload of an outbox row. */
export function toUserEvent(
  row: Pick<OutboxEventEntity, 'eventId' | 'type' | 'userId' | 'actorUserId' | 'traceId' | 'occurredAt' | 'version'>,
): UserEvent {
  return {
    event_id: row.eventId,
    type: row.type,
    occurred_at: row.occurredAt.toISOString(),
    user_id: row.userId,
    actor_user_id: row.actorUserId,
    trace_id: row.traceId,
    version: row.version,
  };
}
