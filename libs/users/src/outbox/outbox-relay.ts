import { Logger, type LoggerService, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { jetstream, type JetStreamClient, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { DataSource } from 'typeorm';
import { userEventSubject } from '../events/user-event.js';
import { ensureUsersStream } from '../events/users-stream.js';
import { OutboxRepository } from './outbox.repository.js';
import {
  type OutboxRelayOptions,
  type ResolvedOutboxRelayOptions,
  resolveOutboxRelayOptions,
} from './outbox-relay.options.js';
import { toUserEvent } from './record-event.js';

/** Time a relay spends publishing one batch at most; the rest of the batch waits for the next claim. */
const BATCH_BUDGET_MS = 30_000;

/** What `/health/ready` can say about the outbox. */
export interface OutboxRelayStatus {
  /** Whether a relay runs in this process (NATS_URL is set). */
  enabled: boolean;
  /** Since when publishing fails (NATS down or slow, or the database), or null. */
  outageSince: Date | null;
  /** Rows written but not yet published, and when the oldest of them happened. */
  pending: number;
  oldestPendingAt: Date | null;
}

/**
 * Publishes the outbox to NATS JetStream: claims pending rows (see OutboxRepository.claimBatch),
 * publishes each to `<prefix>.<type>` with the event id as JetStream message id (the server drops
 * a duplicate within its 2-minute window), marks them published, and trims published rows after
 * `retentionHours`. One user's events go out in the order they were written; a failed publish
 * stops the batch, so a later event of that user never overtakes it.
 *
 * When NATS is down or slow nothing reaches the requests: they only insert rows. The relay logs
 * one warning per outage and one line when it is over, retries with a doubling delay, and then
 * publishes what waited. Several replicas may each run one.
 */
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly options: ResolvedOutboxRelayOptions;
  private readonly logger: LoggerService;
  private readonly repository: OutboxRepository;
  private nc: NatsConnection | null = null;
  private js: JetStreamClient | null = null;
  private connected = false;
  private loop: Promise<void> | null = null;
  private stopping = false;
  private wakeUp: (() => void) | null = null;
  private outage: { since: Date; reason: string } | null = null;
  private nextTrimAt = 0;

  constructor(db: DataSource, options: OutboxRelayOptions) {
    this.options = resolveOutboxRelayOptions(options);
    this.logger = this.options.logger ?? new Logger('OutboxRelay');
    this.repository = new OutboxRepository(db);
  }

  onApplicationBootstrap(): void {
    if (this.options.natsUrl) this.start();
  }

  /** Stops before the module's DataSource closes (TypeORM closes it at application shutdown). */
  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  /** Starts the background loop (idempotent). Requires `natsUrl`. */
  start(): void {
    if (!this.options.natsUrl) throw new Error('OutboxRelay needs a NATS URL');
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.run();
  }

  /** Stops the loop, lets the batch in flight finish, and closes the NATS connection. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeUp?.();
    await this.loop;
    this.loop = null;
    const nc = this.nc;
    this.nc = null;
    this.js = null;
    this.connected = false;
    await nc?.close().catch(() => undefined);
  }

  /** Looks for rows now instead of at the next poll (e.g. right after a commit). */
  wake(): void {
    this.wakeUp?.();
  }

  async status(): Promise<OutboxRelayStatus> {
    const { pending, oldest } = await this.repository.pendingSummary();
    return {
      enabled: this.options.natsUrl !== null,
      outageSince: this.outage?.since ?? null,
      pending,
      oldestPendingAt: oldest,
    };
  }

  /** Deletes rows published more than `retentionHours` ago; returns how many. */
  async trim(): Promise<number> {
    return this.repository.deletePublishedBefore(new Date(Date.now() - this.options.retentionHours * 3_600_000));
  }

  private async run(): Promise<void> {
    let delay = this.options.backoffMs.initial;
    while (!this.stopping) {
      let published = 0;
      try {
        await this.trimWhenDue();
        await this.ensureConnected();
        published = await this.publishBatch();
        this.recovered();
        delay = this.options.backoffMs.initial;
      } catch (error) {
        this.failed(error);
        await this.sleep(delay);
        delay = Math.min(delay * 2, this.options.backoffMs.max);
        continue;
      }
      // A full batch: more may be waiting, go on at once.
      if (published < this.options.batchSize) await this.sleep(this.options.pollIntervalMs);
    }
  }

  /** Claims one batch, publishes it in order, records the outcome. Returns how many were published. */
  private async publishBatch(): Promise<number> {
    const js = this.js!;
    // The lease outlives the batch (its budget plus one last publish), so no other relay takes these
    // rows meanwhile; and it ends well within JetStream's 2-minute duplicate window, so when this
    // relay dies between a publish and its mark, the next relay's re-publish is dropped as a duplicate.
    const leaseMs = BATCH_BUDGET_MS + this.options.publishTimeoutMs + 25_000;
    const deadline = Date.now() + BATCH_BUDGET_MS;
    const rows = await this.repository.claimBatch(this.options.batchSize, leaseMs);
    const published: string[] = [];
    let failure: Error | null = null;
    for (const row of rows) {
      // Shutting down, or NATS is slow: what is left goes back to the outbox for the next claim.
      if (this.stopping || Date.now() > deadline) break;
      if (!this.connected) {
        failure = new Error('NATS connection lost');
        break;
      }
      try {
        await js.publish(userEventSubject(row.type, this.options.subjectPrefix), JSON.stringify(toUserEvent(row)), {
          msgID: row.eventId,
          expect: { streamName: this.options.stream },
          timeout: this.options.publishTimeoutMs,
        });
        published.push(row.seq);
      } catch (error) {
        failure = error instanceof Error ? error : new Error(String(error));
        break;
      }
    }
    await this.repository.markPublished(published);
    await this.repository.release(rows.slice(published.length).map((row) => row.seq));
    if (failure !== null) throw failure;
    return published.length;
  }

  private async ensureConnected(): Promise<void> {
    if (this.nc && !this.nc.isClosed()) {
      if (!this.connected) throw new Error('NATS is disconnected, reconnecting');
      return;
    }
    const nc = await connect({
      servers: this.options.natsUrl!.split(','),
      name: 'users-service-outbox-relay',
      timeout: this.options.publishTimeoutMs,
      // Once connected, the client reconnects on its own, forever; the loop waits meanwhile.
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1000,
    });
    try {
      await ensureUsersStream(await jetstreamManager(nc, { timeout: this.options.publishTimeoutMs }), this.options);
    } catch (error) {
      await nc.close().catch(() => undefined);
      throw error;
    }
    this.nc = nc;
    this.js = jetstream(nc, { timeout: this.options.publishTimeoutMs });
    this.connected = true;
    void this.watch(nc);
  }

  private async watch(nc: NatsConnection): Promise<void> {
    for await (const event of nc.status()) {
      if (event.type === 'disconnect') this.connected = false;
      else if (event.type === 'reconnect') {
        this.connected = true;
        this.wake();
      }
    }
  }

  private async trimWhenDue(): Promise<void> {
    if (Date.now() < this.nextTrimAt) return;
    const deleted = await this.trim();
    this.nextTrimAt = Date.now() + this.options.trimIntervalMs;
    if (deleted > 0)
      this.logger.log(`trimmed ${deleted} published outbox events older than ${this.options.retentionHours} h`);
  }

  private failed(error: unknown): void {
    if (this.outage || this.stopping) return;
    const reason = error instanceof Error ? error.message : String(error);
    this.outage = { since: new Date(), reason };
    this.logger.warn(
      `cannot publish events (${reason}); they wait in the outbox and the relay retries with backoff. Requests are not affected.`,
    );
  }

  private recovered(): void {
    if (!this.outage) return;
    const seconds = Math.round((Date.now() - this.outage.since.getTime()) / 1000);
    this.outage = null;
    this.logger.log(`publishing events again after ${seconds} s; the relay catches up with the outbox`);
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wakeUp?.(), ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        resolve();
      };
    });
  }
}
