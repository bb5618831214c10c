import { randomBytes } from 'node:crypto';

/** The header a trace id arrives in and is returned in. */
export const TRACE_ID_HEADER = 'x-request-id';

const SAFE_TRACE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A fresh trace id: `req_` + 24 random hex characters. */
export function newTraceId(): string {
  return `req_${randomBytes(12).toString('hex')}`;
}

/**
 * Adopts an inbound `X-Request-Id` when it is a short safe token, so that a trace can cross
 * services; anything else (missing, too long, odd characters, repeated header) gets a fresh id.
 */
export function resolveTraceId(inbound: string | string[] | undefined): string {
  return typeof inbound === 'string' && SAFE_TRACE_ID.test(inbound) ? inbound : newTraceId();
}
