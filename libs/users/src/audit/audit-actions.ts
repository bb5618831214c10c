/** Every action an audit event can record; the audit list's `action` filter accepts exactly these. */
export const AUDIT_ACTIONS = [
  'user.created',
  'user.updated',
  'user.deleted',
  'user.restored',
  'user.anonymized',
  'api_key.created',
  'api_key.revoked',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
