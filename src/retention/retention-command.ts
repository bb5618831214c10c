import { type DynamicModule, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RetentionModule, type RetentionResult, RetentionService } from '@users-service/users/retention';
import type { Environment } from '../config/environment.js';
import { runtimeDataSourceOptions } from '../database/schema-owner.js';

/** Just what a retention run needs: the database and RetentionService, no HTTP, no schedule. */
@Module({})
class RetentionCommandModule {
  static forRoot(env: Environment): DynamicModule {
    return {
      module: RetentionCommandModule,
      imports: [
        // A command fails fast and says why, rather than retrying for half a minute like the server.
        TypeOrmModule.forRootAsync({
          useFactory: async () => ({ ...(await runtimeDataSourceOptions(env)), retryAttempts: 0 }),
        }),
        RetentionModule.forRoot({
          retentionDays: env.DELETED_USER_RETENTION_DAYS ?? null,
          batchSize: env.RETENTION_BATCH_SIZE,
          schedule: null,
        }),
      ],
    };
  }
}

/**
 * `npm run retention:run`: one retention run now, printing progress batch by batch. Safe while the
 * service (or another run) is running on the same PostgreSQL. With PGlite, stop the service first:
 * its directory can be open in one process only.
 */
export async function runRetentionCommand(env: Environment, print: (line: string) => void): Promise<RetentionResult> {
  if (env.DELETED_USER_RETENTION_DAYS === undefined) {
    print('DELETED_USER_RETENTION_DAYS is not set: deleted users are kept forever. Nothing to do.');
    return { retentionDays: null, due: 0, anonymized: 0, batches: 0, traceId: null };
  }
  const started = Date.now();
  const app = await NestFactory.createApplicationContext(RetentionCommandModule.forRoot(env), {
    logger: false,
    abortOnError: false,
  });
  try {
    print(
      `Retention: anonymizing users deleted more than ${env.DELETED_USER_RETENTION_DAYS} days ago, ` +
        `${env.RETENTION_BATCH_SIZE} per batch.`,
    );
    const result = await app
      .get(RetentionService)
      .run(({ batch, anonymized, total, due }) =>
        print(`  batch ${batch}: ${anonymized} anonymized (${total} of ${due})`),
      );
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    print(
      `Done: ${result.anonymized} of ${result.due} due users anonymized in ${result.batches} batches (${seconds} s, ` +
        `trace ${result.traceId}).`,
    );
    return result;
  } finally {
    await app.close();
  }
}
