import type { OnApplicationShutdown } from '@nestjs/common';
import type { RateLimitRecord, RateLimitStore } from './rate-limit-store.js';

interface Window {
  hits: number;
  endsAt: number;
}

/** Expired windows are dropped this often, so that idle keys do not accumulate. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * A rate-limit store in process memory with fixed windows: O(1) per hit, the same
 * semantics as RedisRateLimitStore. (@nestjs/throttler's ThrottlerStorageService keeps one timestamp per
 * hit and filters them all on every hit: at a high limit and rate that is O(limit) per request.)
 */
export class MemoryRateLimitStore implements RateLimitStore, OnApplicationShutdown {
  private readonly windows = new Map<string, Window>();
  private readonly sweeper: NodeJS.Timeout;

  constructor() {
    this.sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  increment(
    key: string,
    ttl: number,
    limit: number,
    _blockDuration: number,
    throttlerName: string,
  ): Promise<RateLimitRecord> {
    const now = Date.now();
    const id = `${throttlerName}:${key}`;
    let window = this.windows.get(id);
    if (!window || window.endsAt <= now) {
      window = { hits: 0, endsAt: now + ttl };
      this.windows.set(id, window);
    }
    window.hits++;
    const seconds = Math.max(1, Math.ceil((window.endsAt - now) / 1000));
    const isBlocked = window.hits > limit;
    return Promise.resolve({
      totalHits: window.hits,
      timeToExpire: seconds,
      isBlocked,
      timeToBlockExpire: isBlocked ? seconds : 0,
    });
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
    this.windows.clear();
  }

  private sweep(now = Date.now()): void {
    for (const [id, window] of this.windows) if (window.endsAt <= now) this.windows.delete(id);
  }
}
