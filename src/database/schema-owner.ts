import { Logger } from '@nestjs/common';
import { grantRuntimeRole } from '@users-service/users/migrations';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { buildDataSourceOptions } from '../config/data-source.options.js';
import { databaseUser, type Environment } from '../config/environment.js';

/** The runtime role: the user DATABASE_URL names (validated to name one beside MIGRATIONS_DATABASE_URL). */
export function runtimeRole(env: Environment): string {
  return databaseUser(env.DATABASE_URL ?? '');
}

/**
 * The options of the service's pool, once the schema is ready for it. With MIGRATIONS_DATABASE_URL
 * and MIGRATIONS_RUN, the schema owner first runs the pending migrations (each in its own
 * transaction, like `npm run migration:run`) and grants the runtime role what it needs, on one
 * connection that is closed before the pool opens: the service never holds the owner's connection.
 * Without MIGRATIONS_DATABASE_URL, the pool's own role migrates as it connects (one role).
 */
export async function runtimeDataSourceOptions(env: Environment): Promise<DataSourceOptions> {
  if (env.MIGRATIONS_DATABASE_URL !== undefined && env.MIGRATIONS_RUN) {
    const role = runtimeRole(env);
    const owner = new DataSource({ ...buildDataSourceOptions(env, 'owner'), migrationsRun: false });
    try {
      await owner.initialize();
      const applied = await owner.runMigrations({ transaction: 'each' });
      const grants = await grantRuntimeRole(owner, role);
      new Logger('Database').log(
        `As the schema owner (MIGRATIONS_DATABASE_URL): ${applied.length} migration(s) applied; ` +
          (grants === 'granted'
            ? `the runtime role "${role}" (DATABASE_URL) holds the grants of docs/deployment.md.`
            : `no grants applied: the runtime role "${role}" (DATABASE_URL) owns the tables or is a superuser.`),
      );
    } catch (error) {
      throw new Error(
        `As the schema owner (MIGRATIONS_DATABASE_URL): ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    } finally {
      if (owner.isInitialized) await owner.destroy();
    }
  }
  return buildDataSourceOptions(env);
}
