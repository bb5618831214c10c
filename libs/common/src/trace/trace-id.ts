import { randomUUID } from 'node:crypto';

/** The header a trace id arrives in and is returned in. */
export const TRACE_ID_HEADER = 'x-request-id';

const UUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;
const SAFE_TOKEN = /^[A-Za-z0-9._:-]{1,64}$/;
/**
 * An API key is `ak_` + at least 32 letters and digits: a token whose longest run of letters and
 * digits is shorter than that can hold neither a key nor a key without its prefix.
 */
const KEY_SIZED_RUN = /[A-Za-z0-9]{32}/;

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
 * Whether an inbound id may become the trace id: a UUID, or a token of at most 64 of
 * `[A-Za-z0-9._:-]` with no run of 32 letters and digits. The trace id is logged on every line
 * of the request and stored in `audit_events.trace_id`, so no API key (`ak_` + 32 to 64 letters
 * and digits), nor its body alone, may pass.
 */
export function isSafeTraceId(inbound: string): boolean {
  return UUID.test(inbound) || (SAFE_TOKEN.test(inbound) && !KEY_SIZED_RUN.test(inbound));
}

/**
 * Adopts an inbound `X-Request-Id` when it is safe (see `isSafeTraceId`), so that a trace can
 * cross services; anything else (missing, long, key-like, odd characters, repeated header) gets a
 * fresh id.
 */
export function resolveTraceId(inbound: string | string[] | undefined): string {
  return typeof inbound === 'string' && isSafeTraceId(inbound) ? inbound : newTraceId();
}
