import { type DynamicModule, Global, Logger, Module } from '@nestjs/common';
import { Redis } from 'ioredis';
import { MemoryRateLimitStore, RateLimiter, type RateLimitStore, RedisRateLimitStore } from '@users-service/common';
import type { Environment } from '../config/environment.js';

const STORAGE = Symbol('RATE_LIMIT_STORAGE');

/** Redis errors are logged at most this often: a Redis outage must not flood the log. */
const ERROR_LOG_INTERVAL_MS = 10_000;

function createStorage(env: Environment, logger: Logger): RateLimitStore {
  if (!env.REDIS_URL) return new MemoryRateLimitStore();
  const redis = new Redis(env.REDIS_URL, {
    keyPrefix: env.REDIS_KEY_PREFIX,
    // Fail fast rather than queue: a request must not wait for Redis to come back.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 500,
    connectTimeout: 2000,
  });
  let lastLogged = 0;
  redis.on('error', (error: Error) => {
    if (Date.now() - lastLogged < ERROR_LOG_INTERVAL_MS) return;
    lastLogged = Date.now();
    logger.warn(`Redis (rate-limit counters): ${error.message}`);
  });
  return new RedisRateLimitStore(redis);
}

/**
 * The rate limiter ApiKeyGuard uses: counters in Redis when REDIS_URL is set (shared by every
 * replica), in process memory otherwise. When Redis fails, requests are let through and a warning
 * is logged: a counter outage must not become a service outage.
 */
@Global()
@Module({})
export class RateLimitModule {
  static forRoot(env: Environment): DynamicModule {
    const logger = new Logger('RateLimit');
    let lastLogged = 0;
    return {
      module: RateLimitModule,
      providers: [
        { provide: STORAGE, useFactory: () => createStorage(env, logger) },
        {
          provide: RateLimiter,
          inject: [STORAGE],
          useFactory: (storage: RateLimitStore) =>
            new RateLimiter(storage, {
              perKeyPerMinute: env.RATE_LIMIT_PER_KEY_PER_MINUTE,
              failedAuthPerMinute: env.RATE_LIMIT_FAILED_AUTH_PER_MINUTE,
              onStorageError: (error) => {
                if (Date.now() - lastLogged < ERROR_LOG_INTERVAL_MS) return;
                lastLogged = Date.now();
                logger.warn(`rate-limit counters unavailable, not limiting: ${String(error)}`);
              },
            }),
        },
      ],
      exports: [RateLimiter],
    };
  }
}
