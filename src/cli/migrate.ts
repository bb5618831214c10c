import 'reflect-metadata';
import { grantRuntimeRole } from '@users-service/users/migrations';
import { DataSource, type Logger } from 'typeorm';
import { buildDataSourceOptions } from '../config/data-source.options.js';
import { EnvironmentError, readEnvironment } from '../config/environment.js';
import { runtimeRole } from '../database/schema-owner.js';
import { revertLastMigration, RevertRefusedError } from './revert-guard.js';

/**
 * `npm run migration:run` / `npm run migration:revert [-- --force]`: runs the pending migrations
 * (each in its own transaction) or reverts the last one (refusing, unless `--force`, when that
 * would drop a table with rows or a column holding values; see revert-guard.ts), on the database the service would use (DATABASE_URL, or
 * PGlite in PGLITE_DIR; stop the service first, PGlite is one process at a time). With
 * MIGRATIONS_DATABASE_URL it connects as that schema owner, and `run` then grants the runtime role
 * of DATABASE_URL what it needs (docs/deployment.md). Prints each step
 * as it goes, with the time since the start. Never prints SQL or the database URL.
 */
const started = Date.now();
const say = (line: string): void => {
  process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${line}\n`);
};

/** TypeORM reports migration progress through these two; every other log is left out (SQL carries data). */
const progressLogger: Logger = {
  logSchemaBuild: (message) => say(message),
  logMigration: (message) => say(message),
  logQuery: () => undefined,
  logQueryError: () => undefined,
  logQuerySlow: () => undefined,
  log: () => undefined,
};

async function main(command: string | undefined, flags: string[]): Promise<void> {
  if ((command !== 'run' && command !== 'revert') || flags.some((flag) => flag !== '--force')) {
    throw new Error('usage: migrate.js run | migrate.js revert [--force]');
  }
  const env = readEnvironment();
  const twoRoles = env.MIGRATIONS_DATABASE_URL !== undefined;
  const db = new DataSource({ ...buildDataSourceOptions(env, 'owner'), migrationsRun: false, logger: progressLogger });
  say(
    `Connecting to ${
      twoRoles
        ? 'PostgreSQL as the schema owner (MIGRATIONS_DATABASE_URL)'
        : env.DATABASE_URL
          ? 'PostgreSQL (DATABASE_URL)'
          : `embedded PGlite in ${env.PGLITE_DIR}`
    }...`,
  );
  await db.initialize();
  try {
    if (command === 'run') {
      const done = await db.runMigrations({ transaction: 'each' });
      say(done.length === 0 ? 'Up to date.' : `Done: ${done.length} migration(s) applied.`);
      if (twoRoles) {
        const role = runtimeRole(env);
        say(
          (await grantRuntimeRole(db, role)) === 'granted'
            ? `Granted the runtime role "${role}" what it needs, and nothing more (docs/deployment.md).`
            : `No grants applied: the runtime role "${role}" (DATABASE_URL) owns the tables or is a superuser; ` +
                'use a role that owns nothing (docs/deployment.md).',
        );
      }
    } else {
      const reverted = await revertLastMigration(db, flags.includes('--force'));
      say(reverted ? `Done: ${reverted} reverted.` : 'No migration is applied: nothing to revert.');
    }
  } finally {
    await db.destroy();
  }
}

main(process.argv[2], process.argv.slice(3)).catch((error: unknown) => {
  process.stderr.write(
    error instanceof EnvironmentError
      ? `${error.message}\nSee .env.example for every variable and its default.\n`
      : error instanceof RevertRefusedError
        ? `${error.message}\n`
        : `Migration failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
