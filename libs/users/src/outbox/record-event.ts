import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
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

/**
 * Appends an event to the outbox. Call it with the entity manager of the transaction that makes
 * the change, as its last statement: the event then exists exactly when the change commits, and
 * a rollback leaves none. Returns the payload the relay will publish.
 */
export async function recordEvent(manager: EntityManager, event: NewUserEvent): Promise<UserEvent> {
  const row = {
    eventId: uuidv7(),
    type: event.type,
    userId: event.userId,
    actorUserId: event.actorUserId,
    traceId: event.traceId,
    occurredAt: event.occurredAt ?? new Date(),
    version: USER_EVENT_VERSION,
  };
  await manager.insert(OutboxEventEntity, row);
  return toUserEvent(row);
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
