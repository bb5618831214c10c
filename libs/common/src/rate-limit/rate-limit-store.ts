/** What a store answers for one counted hit. */
export interface RateLimitRecord {
  /** Hits in the current window, this one included. */
  totalHits: number;
  /** Seconds until the window resets. */
  timeToExpire: number;
  /** Whether this hit is over the limit. */
  isBlocked: boolean;
  /** Seconds until a blocked key may try again (0 when not blocked). */
  timeToBlockExpire: number;
}

/**
 * Where the rate-limit counters live: process memory, or Redis shared by every replica. Fixed
 * windows; `increment` counts one hit of `key` under the limit called `name`. (The same shape as
 * @nestjs/throttler's storage, so one of its storages would fit, without depending on the package.)
 */
export interface RateLimitStore {
  increment(key: string, ttlMs: number, limit: number, blockDurationMs: number, name: string): Promise<RateLimitRecord>;
}
