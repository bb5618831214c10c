import type { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import type { Caller } from '../auth/caller.js';
import { PreparedStatement } from '../database/prepared-statements.js';
import type { AuditAction } from './audit-actions.js';
import { AuditEventEntity } from './audit-event.entity.js';

/** One audit event to append: what happened to whom; the actor and trace come from the caller. */
export interface AuditEventInput {
  /** One of AUDIT_ACTIONS, the list the audit filter (and its documentation) accepts. */
  action: AuditAction;
  targetUserId: string | null;
  metadata: Record<string, unknown>;
}

function toRow(caller: Caller, event: AuditEventInput): QueryDeepPartialEntity<AuditEventEntity> {
  return {
    action: event.action,
    actorUserId: caller.userId,
    targetUserId: event.targetUserId,
    traceId: caller.traceId,
    ip: caller.ip,
    userAgent: caller.userAgent,
    metadata: event.metadata as QueryDeepPartialEntity<Record<string, unknown>>,
  };
}

/**
 * The one place audit events are written: appends `events` in the transaction of `manager`, the
 * same one that makes the change they record (the log is append-only; a trigger refuses the rest).
 */
export async function appendAuditEvents(
  manager: EntityManager,
  caller: Caller,
  ...events: AuditEventInput[]
): Promise<void> {
  await manager
    .createQueryBuilder()
    .insert()
    .into(AuditEventEntity)
    .values(events.map((event) => toRow(caller, event)))
    .updateEntity(false)
    .execute();
}

/** The same INSERT as a prepared statement, for the transactions of the hot paths. */
export const APPEND_AUDIT_EVENT = new PreparedStatement(
  'users_audit_append_v1',
  (db: DataSource) =>
    db
      .createQueryBuilder()
      .insert()
      .into(AuditEventEntity)
      .values({
        action: () => ':action',
        actorUserId: () => ':actorUserId',
        targetUserId: () => ':targetUserId',
        traceId: () => ':traceId',
        ip: () => ':ip',
        userAgent: () => ':userAgent',
        metadata: () => ':metadata',
      })
      .updateEntity(false),
  ['action', 'actorUserId', 'targetUserId', 'traceId', 'ip', 'userAgent', 'metadata'],
);

/** The parameters of APPEND_AUDIT_EVENT for one event. */
export function auditEventValues(caller: Caller, event: AuditEventInput) {
  return {
    action: event.action,
    actorUserId: caller.userId,
    targetUserId: event.targetUserId,
    traceId: caller.traceId,
    ip: caller.ip,
    userAgent: caller.userAgent,
    metadata: JSON.stringify(event.metadata),
  };
}
