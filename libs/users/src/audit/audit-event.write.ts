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

/** The columns an audit event is written with (the database fills `id` and `occurred_at`). */
const AUDIT_COLUMNS = ['action', 'actorUserId', 'targetUserId', 'traceId', 'ip', 'userAgent', 'metadata'] as const;

type AuditRow = Pick<AuditEventEntity, (typeof AUDIT_COLUMNS)[number]>;

/** One audit event's row: the one place it is built, for both INSERTs below. */
function toRow(caller: Caller, event: AuditEventInput): AuditRow {
  return {
    action: event.action,
    actorUserId: caller.userId,
    targetUserId: event.targetUserId,
    traceId: caller.traceId,
    ip: caller.ip,
    userAgent: caller.userAgent,
    metadata: event.metadata,
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
    .values(events.map((event) => toRow(caller, event) as QueryDeepPartialEntity<AuditEventEntity>))
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
      .values(Object.fromEntries(AUDIT_COLUMNS.map((column) => [column, () => `:${column}`])))
      .updateEntity(false),
  AUDIT_COLUMNS,
);

/**
 * The parameters of APPEND_AUDIT_EVENT for one event: the same row, its metadata sent as JSON text
 * (a named statement's parameters go to the driver as they are; TypeORM serializes jsonb only on
 * its own INSERT).
 */
export function auditEventValues(caller: Caller, event: AuditEventInput) {
  const row = toRow(caller, event);
  return { ...row, metadata: JSON.stringify(row.metadata) };
}
