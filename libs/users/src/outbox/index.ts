import { OutboxEventEntity } from './outbox-event.entity.js';

/** The outbox's entity, for a DataSource's `entities` (beside USERS_ENTITIES). */
export const OUTBOX_ENTITIES = [OutboxEventEntity];

export { OutboxEventEntity } from './outbox-event.entity.js';
export { OutboxRelay, type OutboxRelayStatus } from './outbox-relay.js';
export { OutboxRelayModule } from './outbox-relay.module.js';
export { type OutboxRelayOptions } from './outbox-relay.options.js';
export { type NewUserEvent, recordEvent, recordEvents } from './record-event.js';
