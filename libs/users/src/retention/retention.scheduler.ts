import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { RETENTION_OPTIONS, type RetentionOptions } from './retention.options.js';
import { RetentionService } from './retention.service.js';

/** The name of the retention job in @nestjs/schedule's registry. */
export const RETENTION_JOB = 'users-retention';

/**
 * Runs retention in-process on RETENTION_SCHEDULE. Every replica may run it: the batches lock
 * with SKIP LOCKED, so they share the work instead of repeating it. A run still going when the
 * next tick comes is not started twice in one process. @nestjs/schedule stops the job on shutdown.
 */
@Injectable()
export class RetentionScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger('Retention');
  private running = false;

  constructor(
    private readonly registry: SchedulerRegistry,
    private readonly retention: RetentionService,
    @Inject(RETENTION_OPTIONS) private readonly options: RetentionOptions,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.retentionDays === null || this.options.schedule === null) return;
    const job = CronJob.from({ cronTime: this.options.schedule, onTick: () => this.tick(), start: true });
    this.registry.addCronJob(RETENTION_JOB, job);
  }

  /** One scheduled run; errors are logged, never thrown into the timer. */
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const result = await this.retention.run();
      if (result.anonymized > 0) {
        this.logger.log(
          `anonymized ${result.anonymized} users deleted more than ${result.retentionDays} days ago (trace ${result.traceId})`,
        );
      }
    } catch (error) {
      this.logger.error(`retention run failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.running = false;
    }
  }
}
