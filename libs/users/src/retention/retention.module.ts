import { type DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { usersDataSourceProvider } from '../database/users-data-source.js';
import { RETENTION_OPTIONS, type RetentionOptions } from './retention.options.js';
import { RetentionRepository } from './retention.repository.js';
import { RetentionScheduler } from './retention.scheduler.js';
import { RetentionService } from './retention.service.js';

/**
 * Retention of deleted users (DELETED_USER_RETENTION_DAYS). Exports RetentionService for an
 * on-demand run; with a retention period and a schedule, also runs it in-process on that schedule.
 * Runs on the TypeORM connection `dataSource` (the default one when absent).
 */
@Module({})
export class RetentionModule {
  static forRoot(options: RetentionOptions): DynamicModule {
    const scheduled = options.retentionDays !== null && options.schedule !== null;
    return {
      module: RetentionModule,
      imports: scheduled ? [ScheduleModule.forRoot()] : [],
      providers: [
        { provide: RETENTION_OPTIONS, useValue: options },
        usersDataSourceProvider(options.dataSource),
        RetentionRepository,
        RetentionService,
        ...(scheduled ? [RetentionScheduler] : []),
      ],
      exports: [RetentionService],
    };
  }
}
