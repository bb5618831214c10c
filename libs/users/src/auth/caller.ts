import type { UserEntity, UserRole } from '../users/user.entity.js';

/**
 * Who is calling and from where: set on the request by ApiKeyGuard, read with `@CurrentUser()`,
 * and passed to services so that every audit event names its actor and trace id.
 * A non-HTTP consumer (a job, an event handler) builds one itself.
 */
export interface Caller {
  userId: string;
  role: UserRole;
  apiKeyId: string | null;
  traceId: string | null;
  ip: string | null;
  userAgent: string | null;
  /**
   * The caller's own row as authentication read it, in the same query as the key: a request about
   * oneself (GET /v1/user/me) needs no second round trip. Absent for callers built outside HTTP.
   */
  user?: UserEntity;
}

/** The caller for work the service does on its own behalf (start-up, scheduled jobs). */
export function systemCaller(traceId: string | null = null): Caller {
  return { userId: 'system', role: 'role_admin', apiKeyId: null, traceId, ip: null, userAgent: null };
}
