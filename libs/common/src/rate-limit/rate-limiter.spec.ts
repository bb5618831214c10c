import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { MemoryRateLimitStore } from './memory-rate-limit.store.js';
import type { RateLimitStore } from './rate-limit-store.js';
import { RateLimiter, type RateLimiterOptions } from './rate-limiter.js';

function createSut(options: Partial<RateLimiterOptions> = {}, storage: RateLimitStore = new MemoryRateLimitStore()) {
  const onStorageError = jest.fn<(error: unknown) => void>();
  const limiter = new RateLimiter(storage, { perUserPerMinute: 3, failedAuthPerMinute: 2, onStorageError, ...options });
  return { limiter, storage, onStorageError };
}

describe('RateLimiter', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('lets a user make perUserPerMinute requests, counting Remaining down, then refuses it', async () => {
    const { limiter } = createSut();
    const decisions = [];
    for (let i = 0; i < 4; i++) decisions.push(await limiter.consumeUser('usr_a'));
    expect(decisions.map((d) => d?.exceeded)).toEqual([false, false, false, true]);
    expect(decisions.map((d) => d?.state.remaining)).toEqual([2, 1, 0, 0]);
    for (const d of decisions) {
      expect(d?.state.limit).toBe(3);
      expect(d?.state.resetSeconds).toBeGreaterThanOrEqual(1);
      expect(d?.state.resetSeconds).toBeLessThanOrEqual(60);
    }
    expect((await limiter.consumeUser('usr_b'))?.exceeded).toBe(false);
  });

  it('blocks an IP locally once it has used its failed-authentication budget, until the window ends', async () => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    const { limiter } = createSut();
    expect(limiter.failedAuthBlocked('203.0.113.1')).toBeNull();
    expect((await limiter.recordFailedAuth('203.0.113.1'))?.exceeded).toBe(false);
    expect(limiter.failedAuthBlocked('203.0.113.1')).toBeNull();
    expect((await limiter.recordFailedAuth('203.0.113.1'))?.exceeded).toBe(false);
    // The budget is used: the next request of that IP is refused before any lookup.
    expect(limiter.failedAuthBlocked('203.0.113.1')).toEqual({ limit: 2, remaining: 0, resetSeconds: 60 });
    expect(limiter.failedAuthBlocked('203.0.113.2')).toBeNull();

    jest.advanceTimersByTime(30_000);
    expect(limiter.failedAuthBlocked('203.0.113.1')?.resetSeconds).toBe(30);
    jest.advanceTimersByTime(30_001);
    expect(limiter.failedAuthBlocked('203.0.113.1')).toBeNull();
  });

  it('counts an IPv4-mapped spelling as its IPv4 address, and a whole IPv6 /64 as one client', async () => {
    const { limiter } = createSut();
    await limiter.recordFailedAuth('::ffff:203.0.113.9');
    await limiter.recordFailedAuth('203.0.113.9');
    expect(limiter.failedAuthBlocked('203.0.113.9')?.remaining).toBe(0);
    expect(limiter.failedAuthBlocked('::FFFF:cb00:7109')?.remaining).toBe(0);

    await limiter.recordFailedAuth('2001:db8:0:7::1');
    await limiter.recordFailedAuth('2001:DB8:0:7:ffff::2');
    expect(limiter.failedAuthBlocked('2001:db8:0:7:abcd::99')?.remaining).toBe(0);
    expect(limiter.failedAuthBlocked('2001:db8:0:8::1')).toBeNull();
  });

  it('says a failure is over the limit when the shared counter already is (another replica counted it)', async () => {
    const increment = jest.fn<RateLimitStore['increment']>().mockResolvedValue({
      totalHits: 5,
      timeToExpire: 12,
      isBlocked: true,
      timeToBlockExpire: 12,
    });
    const { limiter } = createSut({}, { increment });
    expect(await limiter.recordFailedAuth('198.51.100.1')).toEqual({
      exceeded: true,
      state: { limit: 2, remaining: 0, resetSeconds: 12 },
    });
    expect(increment).toHaveBeenCalledWith('ip:198.51.100.1', 60_000, 2, 0, 'failed-auth');
    expect(limiter.failedAuthBlocked('198.51.100.1')?.resetSeconds).toBe(12);
  });

  it('fails open when the counter store fails, and says so', async () => {
    const error = new Error('Redis is down');
    const { limiter, onStorageError } = createSut(
      {},
      { increment: jest.fn<RateLimitStore['increment']>().mockRejectedValue(error) },
    );
    expect(await limiter.consumeUser('usr_a')).toBeNull();
    expect(await limiter.recordFailedAuth('203.0.113.9')).toBeNull();
    expect(limiter.failedAuthBlocked('203.0.113.9')).toBeNull();
    expect(onStorageError).toHaveBeenCalledWith(error);
  });

  it('fails closed with RATE_LIMIT_ON_STORE_FAILURE=deny: 503, for keys and failed authentications alike', async () => {
    const error = new Error('Command timed out');
    const { limiter, onStorageError } = createSut(
      { onStoreFailure: 'deny' },
      { increment: jest.fn<RateLimitStore['increment']>().mockRejectedValue(error) },
    );
    const unavailable = {
      code: 'SERVICE_UNAVAILABLE',
      status: 503,
      systemMessage: 'The rate-limit counters are unavailable.',
    };
    await expect(limiter.consumeUser('usr_a')).rejects.toMatchObject(unavailable);
    await expect(limiter.recordFailedAuth('203.0.113.9')).rejects.toMatchObject(unavailable);
    expect(onStorageError).toHaveBeenCalledTimes(2);
  });

  it('reports each success of the store, so that the end of an outage can be told', async () => {
    const onStorageOk = jest.fn<() => void>();
    const { limiter } = createSut({ onStorageOk, onStoreFailure: 'deny' });
    expect((await limiter.consumeUser('usr_a'))?.exceeded).toBe(false);
    expect(onStorageOk).toHaveBeenCalledTimes(1);
  });
});
