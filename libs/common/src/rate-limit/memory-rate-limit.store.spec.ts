import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { MemoryRateLimitStore } from './memory-rate-limit.store.js';

describe('MemoryRateLimitStore', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('counts hits in a fixed window per throttler and key, and starts a new window when it ends', async () => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    const storage = new MemoryRateLimitStore();
    const hit = () => storage.increment('user:a', 60_000, 2, 0, 'per-user');
    expect(await hit()).toEqual({ totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
    jest.advanceTimersByTime(20_000);
    expect(await hit()).toEqual({ totalHits: 2, timeToExpire: 40, isBlocked: false, timeToBlockExpire: 0 });
    expect(await hit()).toEqual({ totalHits: 3, timeToExpire: 40, isBlocked: true, timeToBlockExpire: 40 });
    expect((await storage.increment('user:a', 60_000, 2, 0, 'failed-auth')).totalHits).toBe(1);
    jest.advanceTimersByTime(40_000);
    expect(await hit()).toEqual({ totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
    storage.onApplicationShutdown();
  });
});
