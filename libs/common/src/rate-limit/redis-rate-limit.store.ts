import type { OnApplicationShutdown } from '@nestjs/common';
import type { RateLimitRecord, RateLimitStore } from './rate-limit-store.js';

import type { Redis } from 'ioredis';

/**
 * One atomic step per hit: count it, start the window on the first hit, and answer the count and
 * the milliseconds left. Being a script, no other replica's hit can slip between the three calls.
 */
const INCREMENT_SCRIPT = `
local hits = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {hits, ttl}
`;

type RedisWithIncrement = Redis & {
  rateLimitIncrement(key: string, windowMs: number): Promise<[number, number]>;
};

/**
 * A rate-limit store in Redis: fixed windows whose counters every replica shares, so
 * that N replicas together accept at most the limit. Keys are `<prefix><throttler>:<key>`; set the
 * prefix through the client's `keyPrefix`. Hits over the limit are counted too (they are refused).
 */
export class RedisRateLimitStore implements RateLimitStore, OnApplicationShutdown {
  private readonly redis: RedisWithIncrement;

  constructor(redis: Redis) {
    redis.defineCommand('rateLimitIncrement', { numberOfKeys: 1, lua: INCREMENT_SCRIPT });
    this.redis = redis as RedisWithIncrement;
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    _blockDuration: number,
    throttlerName: string,
  ): Promise<RateLimitRecord> {
    const [hits, ttlMs] = await this.redis.rateLimitIncrement(`${throttlerName}:${key}`, ttl);
    const seconds = Math.max(1, Math.ceil(ttlMs / 1000));
    const isBlocked = hits > limit;
    return { totalHits: hits, timeToExpire: seconds, isBlocked, timeToBlockExpire: isBlocked ? seconds : 0 };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.redis.status === 'end') return;
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }
}
