import type { DataSourceOptions } from 'typeorm';
import { USERS_ENTITIES, USERS_MIGRATIONS } from '@users-service/users';
import { createPgliteDriver } from '@users-service/common/pglite';
import type { Environment } from './environment.js';

/**
 * The one builder of TypeORM options, used by the app, by `ormconfig.ts` (the TypeORM CLI) and by
 * the tests: PostgreSQL through `pg` when DATABASE_URL is set, embedded PGlite otherwise.
 * The schema comes from migrations only; `synchronize` is never on.
 *
 * `as`: whose connection. The service's pool is the `runtime` one. The `owner` one migrates: with
 * MIGRATIONS_DATABASE_URL it is that role's, a single connection, and the runtime pool then runs no
 * migrations (schema-owner.ts runs them first); without it, both are DATABASE_URL's (one role).
 */
export function buildDataSourceOptions(env: Environment, as: 'runtime' | 'owner' = 'runtime'): DataSourceOptions {
  const owner = as === 'owner' && env.MIGRATIONS_DATABASE_URL !== undefined;
  const common = {
    type: 'postgres' as const,
    entities: USERS_ENTITIES,
    migrations: USERS_MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    migrationsRun: env.MIGRATIONS_RUN && env.MIGRATIONS_DATABASE_URL === undefined,
    synchronize: false,
    // Query logging would write SQL parameters (key hashes, e-mails) to the log; errors are logged
    // by the exception filter under the request's trace id instead.
    logging: false,
    applicationName: owner ? 'users-service-migrations' : 'users-service',
  };
  if (env.DATABASE_URL) {
    return {
      ...common,
      url: owner ? env.MIGRATIONS_DATABASE_URL : env.DATABASE_URL,
      poolSize: owner ? 1 : env.DB_POOL_SIZE,
      connectTimeoutMS: env.DB_CONNECT_TIMEOUT_MS,
      extra: {
        statement_timeout: env.DB_STATEMENT_TIMEOUT_MS,
        // Client-side bound for when the server cannot even answer with a timeout error.
        query_timeout: env.DB_STATEMENT_TIMEOUT_MS + 1000,
        keepAlive: true,
      },
    };
  }
  return { ...common, driver: createPgliteDriver(env.PGLITE_DIR), poolSize: 1 };
}
