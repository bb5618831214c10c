import { randomUUID } from 'node:crypto';

/** The header a trace id arrives in and is returned in. */
export const TRACE_ID_HEADER = 'x-request-id';

const SAFE_TRACE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * A fresh trace id: `req_` + 24 hex characters of a random UUID. `randomUUID` draws from a cached
 * pool of entropy, several times cheaper per request than `randomBytes`.
 */
export function newTraceId(): string {
  // xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx: 24 of the hex digits, leaving out the fixed version digit.
  const uuid = randomUUID();
  return `req_${uuid.slice(0, 8)}${uuid.slice(9, 13)}${uuid.slice(15, 18)}${uuid.slice(19, 23)}${uuid.slice(24, 29)}`;
}

/**
 * Adopts an inbound `X-Request-Id` when it is a short safe token, so that a trace can cross
 * services; anything else (missing, too long, odd characters, repeated header) gets a fresh id.
 */
export function resolveTraceId(inbound: string | string[] | undefined): string {
  return typeof inbound === 'string' && SAFE_TRACE_ID.test(inbound) ? inbound : newTraceId();
}
