/** The event types the users service publishes, one subject each (`users.<type>`). */
export const USER_EVENT_TYPES = [
  'user.created',
  'user.deleted',
  'user.restored',
  'user.anonymized',
  'api_key.revoked',
] as const;

export type UserEventType = (typeof USER_EVENT_TYPES)[number];

/** The version of the payload below; it changes only when a field changes meaning or goes away. */
export const USER_EVENT_VERSION = 1;

/**
 * What every message on the USERS stream carries, as JSON (`USER_EVENT_JSON_SCHEMA`). Delivery is
 * at least once: a consumer is idempotent on `event_id`.
 */
export interface UserEvent {
  /** UUIDv7; also the JetStream message id, so the server drops a re-published duplicate. */
  event_id: string;
  type: UserEventType;
  /** ISO 8601 UTC, when the change was made (its transaction). */
  occurred_at: string;
  /** The user the event is about (for `api_key.revoked`, the key's owner). */
  user_id: string;
  /** Who made the change: a user id, `system` for the service's own jobs, or null. */
  actor_user_id: string | null;
  /** The trace id of the request that made the change (its `X-Request-Id`), or null. */
  trace_id: string | null;
  version: number;
}

/** The default JetStream stream and subject prefix. */
export const USERS_STREAM = 'USERS';
export const USERS_SUBJECT_PREFIX = 'users';

/** The subject an event type is published on: `users.user.deleted`. */
export function userEventSubject(type: UserEventType, prefix: string = USERS_SUBJECT_PREFIX): string {
  return `${prefix}.${type}`;
}

export function isUserEventType(value: unknown): value is UserEventType {
  return typeof value === 'string' && (USER_EVENT_TYPES as readonly string[]).includes(value);
}
