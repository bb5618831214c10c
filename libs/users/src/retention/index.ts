/**
 * `@users-service/users/retention`: retention of deleted users (anonymization after a period), on
 * demand or on a schedule. A subpath of its own because the schedule needs the optional peers
 * `@nestjs/schedule` and `cron`.
 */
export { RetentionModule } from './retention.module.js';
export { type RetentionOptions } from './retention.options.js';
export { RETENTION_JOB, RetentionScheduler } from './retention.scheduler.js';
export { type RetentionProgress, type RetentionResult, RetentionService } from './retention.service.js';
