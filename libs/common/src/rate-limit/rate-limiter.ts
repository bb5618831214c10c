import { clientAddressKey } from './client-address.js';
import type { RateLimitRecord, RateLimitStore } from './rate-limit-store.js';

import { type RateLimitState, ServiceUnavailableError } from '../errors/errors.js';

/** Both limits count per minute, in fixed windows. */
const WINDOW_MS = 60_000;

/** Past this many remembered IPs, expired ones are dropped before another is added. */
const BLOCKED_IPS_SWEEP_SIZE = 10_000;

export interface RateLimiterOptions {
  /** Authenticated requests per minute per user (all of a user's API keys share the budget). */
  perUserPerMinute: number;
  /** Failed authentications per client IP per minute; beyond it every request of that IP is refused. */
  failedAuthPerMinute: number;
  /**
   * What a request gets when the counter store fails: `allow` lets it through uncounted (fails
   * open, the default), `deny` refuses it with 503 SERVICE_UNAVAILABLE (fails closed).
   */
  onStoreFailure?: 'allow' | 'deny';
  /** Told on every failure of the counter store (the caller decides what to log, and how often). */
  onStorageError?: (error: unknown) => void;
  /** Told on every success of the counter store, so that the caller can see an outage end. */
  onStorageOk?: () => void;
}

/** The outcome of counting one request: the state to advertise and whether this request is over. */
export interface RateLimitDecision {
  state: RateLimitState;
  exceeded: boolean;
}

/**
 * Per-user and per-IP limits over a RateLimitStore (in memory, or Redis shared by the
 * replicas). It is built for the guard's hot path: an authenticated request costs one counter
 * increment, and the failed-authentication limit costs nothing until authentication fails, because
 * IPs over it are remembered locally and refused before any key lookup.
 */
export class RateLimiter {
  /** Client IPs known to be over the failed-authentication limit, with the time (ms) their window ends. */
  private readonly blockedIps = new Map<string, number>();

  constructor(
    private readonly storage: RateLimitStore,
    private readonly options: RateLimiterOptions,
  ) {}

  /**
   * Synchronous and local: the state of the failed-auth limit if `ip` is over it, else null.
   * Addresses are counted by `clientAddressKey` (IPv4-mapped as IPv4, IPv6 per /64).
   */
  failedAuthBlocked(ip: string): RateLimitState | null {
    if (this.blockedIps.size === 0) return null;
    ip = clientAddressKey(ip);
    const until = this.blockedIps.get(ip);
    if (until === undefined) return null;
    const left = until - Date.now();
    if (left <= 0) {
      this.blockedIps.delete(ip);
      return null;
    }
    return { limit: this.options.failedAuthPerMinute, remaining: 0, resetSeconds: Math.ceil(left / 1000) };
  }

  /**
   * Counts one failed authentication of `ip`. Once the IP has used its budget it is remembered, so
   * that its next requests are refused without a key lookup; `exceeded` is true when this very
   * failure is over the limit (possible when several replicas share the counter).
   */
  async recordFailedAuth(ip: string): Promise<RateLimitDecision | null> {
    ip = clientAddressKey(ip);
    const limit = this.options.failedAuthPerMinute;
    const record = await this.count(`ip:${ip}`, limit, 'failed-auth');
    if (!record) return null;
    const decision = toDecision(record, limit);
    if (record.isBlocked || record.totalHits >= limit) {
      if (this.blockedIps.size >= BLOCKED_IPS_SWEEP_SIZE) this.dropExpiredBlocks();
      this.blockedIps.set(ip, Date.now() + decision.state.resetSeconds * 1000);
    }
    return decision;
  }

  /**
   * Counts one authenticated request of `userId`, whichever of the user's keys it came with. Null
   * when the counter store is unavailable (and `onStoreFailure` is `allow`; with `deny` it throws
   * ServiceUnavailableError).
   */
  async consumeUser(userId: string): Promise<RateLimitDecision | null> {
    const limit = this.options.perUserPerMinute;
    const record = await this.count(`user:${userId}`, limit, 'per-user');
    return record ? toDecision(record, limit) : null;
  }

  /** An attacker rotating addresses must not grow the map without end: expired entries go. */
  private dropExpiredBlocks(now = Date.now()): void {
    for (const [ip, until] of this.blockedIps) if (until <= now) this.blockedIps.delete(ip);
  }

  private async count(key: string, limit: number, name: string): Promise<RateLimitRecord | null> {
    let record: RateLimitRecord;
    try {
      record = await this.storage.increment(key, WINDOW_MS, limit, 0, name);
    } catch (error) {
      this.options.onStorageError?.(error);
      if (this.options.onStoreFailure === 'deny') {
        throw new ServiceUnavailableError('The rate-limit counters are unavailable.');
      }
      return null;
    }
    this.options.onStorageOk?.();
    return record;
  }
}

function toDecision(record: RateLimitRecord, limit: number): RateLimitDecision {
  const seconds = record.isBlocked ? record.timeToBlockExpire : record.timeToExpire;
  return {
    exceeded: record.isBlocked,
    state: { limit, remaining: Math.max(0, limit - record.totalHits), resetSeconds: Math.max(1, seconds) },
  };
}
