import { type DynamicModule, Module } from '@nestjs/common';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { RateLimiter } from '@users-service/common';
import { OutboxRelayModule, UsersModule } from '@users-service/users';
import { RetentionModule } from '@users-service/users/retention';
import type { DataSource } from 'typeorm';
import type { Environment } from './config/environment.js';
import { RuntimeRoleCheck } from './database/runtime-role.check.js';
import { runtimeDataSourceOptions, runtimeRole } from './database/schema-owner.js';
import { HealthModule } from './health/health.module.js';
import { RateLimitModule } from './rate-limit/rate-limit.module.js';

@Module({})
export class AppModule {
  /** The API application for a validated environment (tests pass their own). */
  static forRoot(env: Environment): DynamicModule {
    return {
      module: AppModule,
      imports: [
        HealthModule,
        RateLimitModule.forRoot(env),
        // With MIGRATIONS_DATABASE_URL, the schema owner migrates and grants before the pool opens.
        TypeOrmModule.forRootAsync({
          useFactory: async () => ({ ...(await runtimeDataSourceOptions(env)), retryAttempts: 5, retryDelay: 2000 }),
        }),
        // The API app: ApiKeyGuard on every route (unless @Public()) and the users API mounted.
        UsersModule.forRootAsync({
          globalGuard: true,
          controllers: true,
          inject: [RateLimiter],
          useFactory: (rateLimiter: RateLimiter) => ({ rateLimiter, maxApiKeysPerUser: env.MAX_API_KEYS_PER_USER }),
        }),
        // Publishes the outbox to NATS JetStream; without NATS_URL the events wait (and /health/ready says so).
        OutboxRelayModule.forRoot({
          natsUrl: env.NATS_URL ?? null,
          stream: env.NATS_STREAM,
          subjectPrefix: env.NATS_SUBJECT_PREFIX,
          retentionHours: env.OUTBOX_RETENTION_HOURS,
        }),
        RetentionModule.forRoot({
          retentionDays: env.DELETED_USER_RETENTION_DAYS ?? null,
          batchSize: env.RETENTION_BATCH_SIZE,
          schedule: env.RETENTION_SCHEDULE === 'off' ? null : env.RETENTION_SCHEDULE,
        }),
      ],
      providers: env.MIGRATIONS_DATABASE_URL
        ? [
            {
              provide: RuntimeRoleCheck,
              inject: [getDataSourceToken()],
              useFactory: (db: DataSource) => new RuntimeRoleCheck(db, runtimeRole(env)),
            },
          ]
        : [],
    };
  }
}
