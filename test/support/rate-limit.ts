import type { ExpectedError } from './envelope.js';

/** A user over RATE_LIMIT_PER_USER_PER_MINUTE (all of the user's keys count together). */
export const RATE_LIMITED_USER: ExpectedError = {
  status: 429,
  code: 'RATE_LIMIT_EXCEEDED',
  type: 'rate_limit_error',
  message: 'Too many requests. Please try again later.',
  system_message: "Too many requests for this user (all of the user's API keys share one budget).",
};

export const RATE_LIMITED_IP: ExpectedError = {
  ...RATE_LIMITED_USER,
  system_message: 'Too many failed authentications from this address.',
};

/** The `X-RateLimit-*` headers and `Retry-After` of a response, as numbers (NaN when absent). */
export function rateLimitHeaders(response: Response): {
  limit: number;
  remaining: number;
  reset: number;
  retryAfter: number;
} {
  const n = (name: string) => Number(response.headers.get(name) ?? NaN);
  return {
    limit: n('x-ratelimit-limit'),
    remaining: n('x-ratelimit-remaining'),
    reset: n('x-ratelimit-reset'),
    retryAfter: n('retry-after'),
  };
}
