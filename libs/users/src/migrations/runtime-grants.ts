import { escapeIdentifier } from 'pg';
import type { DataSource } from 'typeorm';

type TablePrivilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';

/**
 * What the role a service runs as needs on each table of `USERS_MIGRATIONS`, and nothing more
 * (docs/deployment.md). Every statement the library runs at run time was checked against it:
 * - `users`: reads; INSERT (create, bootstrap); UPDATE (profile, soft delete, restore,
 *   anonymization), which `SELECT ... FOR UPDATE` also needs.
 * - `api_keys`: reads; INSERT; UPDATE (revocation, `last_used_at`, anonymized names,
 *   `FOR NO KEY UPDATE`). Nothing deletes a user or a key.
 * - `audit_events`: SELECT (`GET /v1/audit-events`) and INSERT only. Nothing updates or deletes an
 *   audit row, retention included (it appends `user.anonymized`); without UPDATE, DELETE, TRUNCATE,
 *   TRIGGER or ownership the runtime role can neither change the log nor drop its trigger.
 * - `outbox_events`: INSERT; the relay's claim and lease (`FOR UPDATE SKIP LOCKED`, UPDATE of
 *   `claimed_until` and `published_at`) and its trim of published rows (DELETE).
 * The identity columns (`audit_events.id`, `outbox_events.seq`) need no grant on their sequences,
 * and the service never reads `typeorm_migrations` unless it runs the migrations itself.
 * A migration that adds a table adds it here (test/database-roles.e2e-spec.ts fails otherwise).
 */
export const USERS_RUNTIME_GRANTS: Readonly<Record<string, readonly TablePrivilege[]>> = {
  users: ['SELECT', 'INSERT', 'UPDATE'],
  api_keys: ['SELECT', 'INSERT', 'UPDATE'],
  audit_events: ['SELECT', 'INSERT'],
  outbox_events: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
};

/** Serialises the grants of replicas starting together (concurrent GRANTs on one table fail). */
const GRANTS_LOCK_ID = 727_002;

/**
 * Gives `role` exactly `USERS_RUNTIME_GRANTS` on the tables of the current schema (and USAGE on the
 * schema), taking back any other privilege it holds on them: idempotent, one transaction. Run it on
 * a connection of the tables' owner, after the migrations. A role that owns the tables (or may
 * become their owner) or is a superuser needs no grant and gets none: `owner` is returned, and the
 * caller should warn. Throws when the role does not exist.
 */
export async function grantRuntimeRole(db: DataSource, role: string): Promise<'granted' | 'owner'> {
  const tables = Object.keys(USERS_RUNTIME_GRANTS);
  return db.transaction(async (manager) => {
    await manager.query('SELECT pg_advisory_xact_lock($1)', [GRANTS_LOCK_ID]);
    const found: Array<{ owns: boolean }> = await manager.query(
      `SELECT r.rolsuper OR EXISTS (SELECT 1 FROM pg_class c
                                     WHERE c.oid IN (SELECT to_regclass(t) FROM unnest($2::text[]) AS t)
                                       AND pg_has_role(r.oid, c.relowner, 'MEMBER')) AS owns
         FROM pg_roles r WHERE r.rolname = $1`,
      [role, tables],
    );
    if (found.length === 0) throw new Error(`The runtime role "${role}" (DATABASE_URL) does not exist.`);
    if (found[0]!.owns) return 'owner';
    const grantee = escapeIdentifier(role);
    const [current]: Array<{ schema: string }> = await manager.query('SELECT current_schema() AS schema');
    await manager.query(`GRANT USAGE ON SCHEMA ${escapeIdentifier(current!.schema)} TO ${grantee}`);
    for (const table of tables) {
      await manager.query(`REVOKE ALL ON ${escapeIdentifier(table)} FROM ${grantee}`);
      await manager.query(
        `GRANT ${USERS_RUNTIME_GRANTS[table]!.join(', ')} ON ${escapeIdentifier(table)} TO ${grantee}`,
      );
    }
    return 'granted';
  });
}

/**
 * Why the role of `db`'s own connection could change the audit log (it is a superuser, owns the
 * tables, or holds UPDATE, DELETE or TRUNCATE on `audit_events`), or null when it cannot.
 */
export async function auditLogExposure(db: DataSource): Promise<string | null> {
  const [row]: Array<{ superuser: boolean; owns: boolean; privileges: string[] | null }> = await db.query(
    `SELECT r.rolsuper AS superuser,
            EXISTS (SELECT 1 FROM pg_class c
                     WHERE c.oid IN (SELECT to_regclass(t) FROM unnest($1::text[]) AS t)
                       AND pg_has_role(current_user, c.relowner, 'MEMBER')) AS owns,
            (SELECT array_agg(p ORDER BY o) FROM unnest(ARRAY['UPDATE', 'DELETE', 'TRUNCATE']) WITH ORDINALITY AS x(p, o)
              WHERE has_table_privilege(to_regclass('audit_events'), p)) AS privileges
       FROM pg_roles r WHERE r.rolname = current_user`,
    [Object.keys(USERS_RUNTIME_GRANTS)],
  );
  if (!row) return null;
  if (row.superuser) return 'is a superuser';
  if (row.owns) return 'owns the tables';
  if (row.privileges && row.privileges.length > 0) return `holds ${row.privileges.join(', ')} on audit_events`;
  return null;
}
