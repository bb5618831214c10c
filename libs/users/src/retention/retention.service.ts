import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { systemCaller } from '../auth/caller.js';
import { RETENTION_OPTIONS, type RetentionOptions } from './retention.options.js';
import { RetentionRepository } from './retention.repository.js';

export interface RetentionProgress {
  batch: number;
  /** Anonymized by this batch. */
  anonymized: number;
  /** Anonymized by this run so far. */
  total: number;
  /** Due when the run started. */
  due: number;
}

export interface RetentionResult {
  /** The policy applied; null: retention is off and nothing was done. */
  retentionDays: number | null;
  /** Users due when the run started (an estimate when other replicas run at the same time). */
  due: number;
  anonymized: number;
  batches: number;
  traceId: string | null;
}

/**
 * Applies DELETED_USER_RETENTION_DAYS: anonymizes, batch by batch, the users deleted longer ago
 * than that. Idempotent (an anonymized user is never due again) and safe on several replicas at
 * once (each batch locks its rows with SKIP LOCKED). Used by the scheduled job and the CLI.
 */
@Injectable()
export class RetentionService {
  constructor(
    private readonly retention: RetentionRepository,
    @Inject(RETENTION_OPTIONS) private readonly options: RetentionOptions,
  ) {}

  async run(onProgress?: (progress: RetentionProgress) => void): Promise<RetentionResult> {
    const { retentionDays, batchSize } = this.options;
    if (retentionDays === null) return { retentionDays, due: 0, anonymized: 0, batches: 0, traceId: null };
    const traceId = `retention_${randomBytes(8).toString('hex')}`;
    const caller = systemCaller(traceId);
    const due = await this.retention.countDue(retentionDays);
    let total = 0;
    let batches = 0;
    for (;;) {
      const ids = await this.retention.anonymizeBatch(retentionDays, batchSize, caller);
      if (ids.length === 0) break;
      total += ids.length;
      batches += 1;
      onProgress?.({ batch: batches, anonymized: ids.length, total, due });
      if (ids.length < batchSize) break;
    }
    return { retentionDays, due, anonymized: total, batches, traceId };
  }
}
