import type { LoggerService } from '@nestjs/common';
import type { UsersStreamOptions } from './users-stream.js';

/** The injection token of UsersEventsOptions. */
export const USERS_EVENTS_OPTIONS = Symbol('USERS_EVENTS_OPTIONS');

export interface UsersEventsOptions extends UsersStreamOptions {
  /** NATS server(s), e.g. `nats://127.0.0.1:4222` (comma-separated for several). */
  natsUrl: string;
  /**
   * The durable consumer's name, one per consuming service (e.g. `notes`): JetStream remembers
   * what it acknowledged, so a restarted service resumes where it stopped. Replicas of one
   * service share the name and so share the work.
   */
  durableName: string;
  /** How long JetStream waits for an ack before it redelivers; default 30 000 ms. */
  ackWaitMs?: number;
  /** First delay before a failed event is redelivered; doubles per attempt up to 60 s; default 1000 ms. */
  redeliveryDelayMs?: number;
  /** Messages fetched ahead; default 64. They are handled one at a time, in stream order. */
  prefetch?: number;
  /** Where the consumer logs; default Nest's Logger with the context `UserEventsConsumer`. */
  logger?: LoggerService;
}
