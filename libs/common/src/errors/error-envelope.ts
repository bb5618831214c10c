import { AppError } from './app-error.js';

/** The body of every non-2xx answer (the seed's shape). */
export interface ErrorEnvelope {
  success: false;
  error: {
    code: string;
    message: string;
    system_message: string;
    type: string;
    status: number;
    details: Record<string, unknown>;
    trace_id: string;
    timestamp: string;
  };
}

/** ISO 8601 UTC to the second, as the seed writes it: `2025-12-22T15:30:00Z`. */
export function isoSeconds(date: Date): string {
  // `YYYY-MM-DDTHH:mm:ss.sssZ` for every date the service meets: cut the milliseconds off (every
  // error answer builds one; a slice costs a fraction of a regular expression's replace).
  return `${date.toISOString().slice(0, 19)}Z`;
}

let stampSecond = Number.NaN;
let stamp = '';

/**
 * The time now as `isoSeconds` writes it. Every error answer carries one, and a refusal costs a few
 * tens of microseconds in all: the text is made at most once a second, not once per answer.
 */
export function nowIsoSeconds(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== stampSecond) {
    stamp = isoSeconds(new Date(second * 1000));
    stampSecond = second;
  }
  return stamp;
}

export function toErrorEnvelope(error: AppError, traceId: string, now?: Date): ErrorEnvelope {
  return {
    success: false,
    error: {
      code: error.code,
      message: error.message,
      system_message: error.systemMessage,
      type: error.type,
      status: error.getStatus(),
      details: error.details,
      trace_id: traceId,
      timestamp: now ? isoSeconds(now) : nowIsoSeconds(),
    },
  };
}
