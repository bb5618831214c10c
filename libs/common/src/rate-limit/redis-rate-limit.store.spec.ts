import { describe, expect, it, jest } from '@jest/globals';
import type { Redis } from 'ioredis';
import { RedisRateLimitStore } from './redis-rate-limit.store.js';

function createSut(reply: [number, number]) {
  const rateLimitIncrement = jest
    .fn<(key: string, windowMs: number) => Promise<[number, number]>>()
    .mockResolvedValue(reply);
  const defineCommand = jest.fn();
  const redis = { defineCommand, rateLimitIncrement, status: 'ready', quit: jest.fn(), disconnect: jest.fn() };
  const storage = new RedisRateLimitStore(redis as unknown as Redis);
  return { storage, redis };
}

describe('RedisRateLimitStore', () => {
  it('defines one atomic script (INCR, then PEXPIRE on a new window)', () => {
    const { redis } = createSut([1, 60_000]);
    expect(redis.defineCommand).toHaveBeenCalledWith('rateLimitIncrement', {
      numberOfKeys: 1,
      lua: expect.stringMatching(/INCR[\s\S]*PTTL[\s\S]*PEXPIRE/),
    });
  });

  it('answers the count and the seconds left; within the limit it is not blocked', async () => {
    const { storage, redis } = createSut([3, 41_200]);
    expect(await storage.increment('user:usr_a', 60_000, 3, 0, 'per-user')).toEqual({
      totalHits: 3,
      timeToExpire: 42,
      isBlocked: false,
      timeToBlockExpire: 0,
    });
    expect(redis.rateLimitIncrement).toHaveBeenCalledWith('per-user:user:usr_a', 60_000);
  });

  it('is blocked once the shared count passes the limit', async () => {
    const { storage } = createSut([4, 500]);
    expect(await storage.increment('user:usr_a', 60_000, 3, 0, 'per-user')).toEqual({
      totalHits: 4,
      timeToExpire: 1,
      isBlocked: true,
      timeToBlockExpire: 1,
    });
  });
});
