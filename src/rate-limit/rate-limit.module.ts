import { type DynamicModule, Global, Logger, Module } from '@nestjs/common';
import { Redis } from 'ioredis';
import { MemoryRateLimitStore, RateLimiter, type RateLimitStore, RedisRateLimitStore } from '@users-service/common';
import type { Environment } from '../config/environment.js';

const STORAGE = Symbol('RATE_LIMIT_STORAGE');

/** How long the store must go without a failure before its outage is reported over. */
const RECOVERY_QUIET_MS = 1000;

/**
 * Logs a counter-store outage once, when it begins, and once when it ends: an outage seen by
 * every request and every reconnection attempt must not flood the log, nor go unsaid.
 */
class StoreOutageLog {
  private down = false;
  private lastFailureAt = 0;

  constructor(
    private readonly logger: Logger,
    private readonly onFailure: 'allow' | 'deny',
  ) {}

  failed(error: unknown): void {
    this.lastFailureAt = Date.now();
    if (this.down) return;
    this.down = true;
    const effect =
      this.onFailure === 'allow'
        ? 'requests are let through without rate limits'
        : 'requests that need a rate-limit count are refused with 503';
    const reason = error instanceof Error ? error.message : String(error);
    this.logger.warn(
      `Redis (rate-limit counters) unavailable: ${reason}; until it is back, ${effect} (RATE_LIMIT_ON_STORE_FAILURE=${this.onFailure}).`,
    );
  }

  ok(): void {
    // Back only after a second without failures: one answer slipping through a hanging Redis (or
    // a timeout of a loaded event loop) must not make the log flap.
    if (!this.down || Date.now() - this.lastFailureAt < RECOVERY_QUIET_MS) return;
    this.down = false;
    this.logger.log('Redis (rate-limit counters) is back; rate limits apply again.');
  }
}

function createStorage(env: Environment, outages: StoreOutageLog): RateLimitStore {
  if (!env.REDIS_URL) return new MemoryRateLimitStore();
  const redis = new Redis(env.REDIS_URL, {
    keyPrefix: env.REDIS_KEY_PREFIX,
    // Fail fast rather than queue: a request must not wait for Redis to come back.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    // A counter on the same network answers in about a millisecond; a Redis that hangs must not
    // hold every request (it held each for 500 ms before). Default 50 ms (REDIS_COMMAND_TIMEOUT_MS).
    commandTimeout: env.REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: 2000,
  });
  redis.on('error', (error: Error) => outages.failed(error));
  redis.on('ready', () => outages.ok());
  return new RedisRateLimitStore(redis);
}

/**
 * The rate limiter ApiKeyGuard uses: counters in Redis when REDIS_URL is set (shared by every
 * replica), in process memory otherwise. Each Redis command waits at most
 * REDIS_COMMAND_TIMEOUT_MS; when Redis fails, RATE_LIMIT_ON_STORE_FAILURE decides (`allow`: let the
 * request through; `deny`: 503), and the outage is logged once, as is its end.
 */
@Global()
@Module({})
export class RateLimitModule {
  static forRoot(env: Environment): DynamicModule {
    const outages = new StoreOutageLog(new Logger('RateLimit'), env.RATE_LIMIT_ON_STORE_FAILURE);
    return {
      module: RateLimitModule,
      providers: [
        { provide: STORAGE, useFactory: () => createStorage(env, outages) },
        {
          provide: RateLimiter,
          inject: [STORAGE],
          useFactory: (storage: RateLimitStore) =>
            new RateLimiter(storage, {
              perUserPerMinute: env.RATE_LIMIT_PER_USER_PER_MINUTE,
              failedAuthPerMinute: env.RATE_LIMIT_FAILED_AUTH_PER_MINUTE,
              onStoreFailure: env.RATE_LIMIT_ON_STORE_FAILURE,
              onStorageError: (error) => outages.failed(error),
              onStorageOk: () => outages.ok(),
            }),
        },
      ],
      exports: [RateLimiter],
    };
  }
}
