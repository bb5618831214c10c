import { USER_EVENT_TYPES, USER_EVENT_VERSION } from './user-event.js';

/**
 * JSON Schema (draft 2020-12) of a message on the USERS stream (`UserEvent`). Consumers in other
 * languages validate against it; `additionalProperties` is allowed so that a later minor addition
 * does not break them.
 */
export const USER_EVENT_JSON_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://users-service.invalid/schemas/user-event.v1.json',
  title: 'UserEvent',
  description: 'An event of the users service, published on the JetStream stream USERS under users.<type>.',
  type: 'object',
  required: ['event_id', 'type', 'occurred_at', 'user_id', 'actor_user_id', 'trace_id', 'version'],
  properties: {
    event_id: {
      type: 'string',
      format: 'uuid',
      description: 'UUIDv7, unique per event; also the JetStream message id. Deduplicate on it.',
    },
    type: { type: 'string', enum: [...USER_EVENT_TYPES] },
    occurred_at: { type: 'string', format: 'date-time', description: 'ISO 8601 UTC.' },
    user_id: { type: 'string', pattern: '^usr_[0-9a-f]{32}$', description: 'The user the event is about.' },
    actor_user_id: {
      type: ['string', 'null'],
      description: 'Who made the change: a user id, "system" for the service itself, or null.',
    },
    trace_id: {
      type: ['string', 'null'],
      maxLength: 128,
      description: 'The X-Request-Id of the request that made the change, or null (jobs).',
    },
    version: { type: 'integer', const: USER_EVENT_VERSION },
  },
  additionalProperties: true,
} as const;
