import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { UserEventType } from '../events/user-event.js';

/**
 * One event waiting for (or past) publication to NATS JetStream: the transactional outbox. Rows
 * are written in the transaction of the change they describe (`recordEvent`), published by
 * OutboxRelay in `seq` order per user, and deleted OUTBOX_RETENTION_HOURS after publication.
 */
@Entity({ name: 'outbox_events' })
@Check(
  'CHK_outbox_events_type',
  `"type" IN ('user.created', 'user.deleted', 'user.restored', 'user.anonymized', 'api_key.revoked')`,
)
@Index('UQ_outbox_events_event_id', ['eventId'], { unique: true })
@Index('IDX_outbox_events_pending', ['userId', 'seq'], { where: '"published_at" IS NULL' })
@Index('IDX_outbox_events_pending_seq', ['seq'], { where: '"published_at" IS NULL' })
@Index('IDX_outbox_events_published_at', ['publishedAt'], { where: '"published_at" IS NOT NULL' })
export class OutboxEventEntity {
  /** Insertion order; the relay publishes one user's events in this order. */
  @PrimaryGeneratedColumn('identity', { name: 'seq', type: 'bigint', generatedIdentity: 'ALWAYS' })
  seq: string;

  @Column({ name: 'event_id', type: 'uuid' })
  eventId: string;

  @Column({ name: 'type', type: 'text' })
  type: UserEventType;

  @Column({ name: 'user_id', type: 'text' })
  userId: string;

  @Column({ name: 'actor_user_id', type: 'text', nullable: true })
  actorUserId: string | null;

  @Column({ name: 'trace_id', type: 'text', nullable: true })
  traceId: string | null;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  @Column({ name: 'version', type: 'integer' })
  version: number;

  /** A relay's lease on the row while it publishes it; null or past: free to claim. */
  @Column({ name: 'claimed_until', type: 'timestamptz', nullable: true })
  claimedUntil: Date | null;

  /** When JetStream acknowledged it; null: pending. */
  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt: Date | null;
}
