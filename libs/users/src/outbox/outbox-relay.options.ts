import type { LoggerService } from '@nestjs/common';
import type { UsersStreamOptions } from '../events/users-stream.js';

export interface OutboxRelayOptions extends UsersStreamOptions {
  /** NATS server(s), e.g. `nats://127.0.0.1:4222`; null: the relay does not run and events wait. */
  natsUrl: string | null;
  /** Published rows are deleted this many hours after publication; default 72. */
  retentionHours?: number;
  /** TypeORM connection name of the users database; default connection when absent. */
  dataSource?: string;
  /** Rows claimed per batch; default 100. */
  batchSize?: number;
  /** How often an idle relay looks for new rows; default 1000 ms. */
  pollIntervalMs?: number;
  /** How long one publish may wait for JetStream's acknowledgement; default 5000 ms. */
  publishTimeoutMs?: number;
  /** Retry delays while NATS (or the database) fails: doubles from the first to the last; default 500 ms to 30 s. */
  backoffMs?: { initial: number; max: number };
  /** How often published rows are trimmed; default 10 minutes. */
  trimIntervalMs?: number;
  /** Where the relay logs; default Nest's Logger with the context `OutboxRelay`. */
  logger?: LoggerService;
}

/** The options with their defaults filled in. */
export type ResolvedOutboxRelayOptions = Required<Omit<OutboxRelayOptions, 'dataSource' | 'logger'>> &
  Pick<OutboxRelayOptions, 'dataSource' | 'logger'>;

export function resolveOutboxRelayOptions(options: OutboxRelayOptions): ResolvedOutboxRelayOptions {
  return {
    natsUrl: options.natsUrl,
    retentionHours: options.retentionHours ?? 72,
    dataSource: options.dataSource,
    stream: options.stream ?? 'USERS',
    subjectPrefix: options.subjectPrefix ?? 'users',
    batchSize: options.batchSize ?? 100,
    pollIntervalMs: options.pollIntervalMs ?? 1000,
    publishTimeoutMs: options.publishTimeoutMs ?? 5000,
    backoffMs: options.backoffMs ?? { initial: 500, max: 30_000 },
    trimIntervalMs: options.trimIntervalMs ?? 10 * 60_000,
    logger: options.logger,
  };
}
