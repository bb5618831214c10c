/**
 * `@users-service/users/events`: the events of the users service on NATS JetStream, for the
 * services that consume them. See docs/events.md.
 */
export {
  ON_USER_EVENT,
  OnUserEvent,
  type UserEventDelivery,
  type UserEventHandler,
} from './on-user-event.decorator.js';
export {
  isUserEventType,
  USER_EVENT_TYPES,
  USER_EVENT_VERSION,
  type UserEvent,
  type UserEventType,
  userEventSubject,
  USERS_STREAM,
  USERS_SUBJECT_PREFIX,
} from './user-event.js';
export { USER_EVENT_JSON_SCHEMA } from './user-event.schema.js';
export { UserEventsConsumer } from './user-events.consumer.js';
export { UsersEventsModule } from './users-events.module.js';
export { type UsersEventsOptions } from './users-events.options.js';
export { ensureUsersStream, type UsersStreamOptions } from './users-stream.js';
