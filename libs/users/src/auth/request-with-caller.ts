import type { Caller } from './caller.js';

/**
 * What the guards read of a request, on Fastify and Express alike; after ApiKeyGuard, `caller` is
 * set on every route that is not public.
 */
export interface RequestWithCaller {
  headers: Record<string, string | string[] | undefined>;
  params?: unknown;
  ip?: string;
  /** The request's trace id, where the platform assigns one (Fastify's `genReqId`). */
  id?: string;
  caller?: Caller;
}

/** The trace id of a request, for log lines and audit rows; null where the platform sets none. */
export function traceIdOf(request: RequestWithCaller): string | null {
  return typeof request.id === 'string' ? request.id : null;
}
