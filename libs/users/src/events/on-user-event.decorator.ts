import { SetMetadata } from '@nestjs/common';
import type { UserEvent, UserEventType } from './user-event.js';

export const ON_USER_EVENT = 'users-service:on-user-event';

/** Where a delivery stands, for handlers that want to know (logging, metrics). */
export interface UserEventDelivery {
  /** 1 on the first delivery; more when an earlier attempt failed or its ack was lost. */
  deliveryCount: number;
  subject: string;
  /** The message's sequence in the stream. */
  streamSequence: number;
}

export type UserEventHandler = (event: UserEvent, delivery: UserEventDelivery) => unknown;

/**
 * Marks a method of a provider as the handler of one or more event types. The method gets the
 * event and its delivery; when it returns (or its promise resolves) the message is acknowledged,
 * when it throws it is redelivered later. Delivery is at least once: make the handler idempotent
 * on `event.event_id` (docs/events.md shows how).
 *
 * @example
 * \@Injectable()
 * class UserDeletedHandler {
 *   \@OnUserEvent('user.deleted')
 *   async hideNotes(event: UserEvent): Promise<void> { ... }
 * }
 */
export const OnUserEvent = (...types: [UserEventType, ...UserEventType[]]): MethodDecorator =>
  SetMetadata(ON_USER_EVENT, types);
