import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** What happened, to whom, by whom. Append-only: a database trigger rejects UPDATE and DELETE. */
@Entity({ name: 'audit_events' })
@Index('IDX_audit_events_occurred_at', ['occurredAt'])
@Index('IDX_audit_events_target_user_id', ['targetUserId', 'occurredAt'])
@Index('IDX_audit_events_actor_user_id', ['actorUserId', 'occurredAt'])
@Index('IDX_audit_events_action', ['action', 'occurredAt'])
export class AuditEventEntity {
  @PrimaryGeneratedColumn('identity', { name: 'id', type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ name: 'occurred_at', type: 'timestamptz', default: () => 'now()' })
  occurredAt: Date;

  @Column({ name: 'action', type: 'text' })
  action: string;

  @Column({ name: 'actor_user_id', type: 'text', nullable: true })
  actorUserId: string | null;

  @Column({ name: 'target_user_id', type: 'text', nullable: true })
  targetUserId: string | null;

  @Column({ name: 'trace_id', type: 'text', nullable: true })
  traceId: string | null;

  @Column({ name: 'ip', type: 'text', nullable: true })
  ip: string | null;

  @Column({ name: 'user_agent', type: 'text', nullable: true })
  userAgent: string | null;

  @Column({ name: 'metadata', type: 'jsonb', default: () => `'{}'` })
  metadata: Record<string, unknown>;
}
