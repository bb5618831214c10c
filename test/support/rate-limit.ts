import type { ExpectedError } from './envelope.js';

export const RATE_LIMITED_KEY: ExpectedError = {
  status: 429,
  code: 'RATE_LIMIT_EXCEEDED',
  type: 'rate_limit_error',
  message: 'Too many requests. Please try again later.',
  system_message: 'Too many requests with this API key.',
};

export const RATE_LIMITED_IP: ExpectedError = {
  ...RATE_LIMITED_KEY,
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
