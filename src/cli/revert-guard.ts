import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';

/** Data that reverting a migration would destroy: a table's rows, or a column's values. */
export interface DataLoss {
  table: string;
  column?: string;
  /** Rows of the table, or rows where the column holds a value (is not NULL). */
  rows: number;
}

/** Raised when the last migration's revert would destroy data and `--force` was not given. */
export class RevertRefusedError extends Error {}

const DROP_TABLE = /^\s*DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?((?:"[^"]+"|\w+)(?:\.(?:"[^"]+"|\w+))?)/i;
const DROP_COLUMN =
  /^\s*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?((?:"[^"]+"|\w+)(?:\.(?:"[^"]+"|\w+))?)\s+DROP\s+(?:COLUMN\s+)?(?:IF\s+EXISTS\s+)?("[^"]+"|\w+)\s*$/i;

const unquote = (name: string): string => name.replace(/"/g, '');
const quote = (name: string): string =>
  name
    .split('.')
    .map((part) => `"${part}"`)
    .join('.');

/** The tables and columns a list of SQL statements drops (constraints, indexes and triggers hold no data). */
export function droppedByStatements(statements: string[]): Array<{ table: string; column?: string }> {
  const dropped: Array<{ table: string; column?: string }> = [];
  for (const sql of statements) {
    const table = DROP_TABLE.exec(sql);
    if (table?.[1]) {
      dropped.push({ table: unquote(table[1]) });
      continue;
    }
    const column = DROP_COLUMN.exec(sql);
    if (column?.[1] && column[2] && !/^CONSTRAINT$/i.test(column[2])) {
      dropped.push({ table: unquote(column[1]), column: unquote(column[2]) });
    }
  }
  return dropped;
}

/** The SQL a migration's `down` would run, recorded without running any of it. */
async function recordDown(migration: MigrationInterface): Promise<string[]> {
  const statements: string[] = [];
  const recorder = {
    query: (sql: string) => {
      statements.push(sql);
      return Promise.resolve([]);
    },
  } as unknown as QueryRunner;
  await migration.down(recorder);
  return statements;
}

/** The last applied migration, or undefined when none is. */
async function lastApplied(db: DataSource): Promise<MigrationInterface | undefined> {
  const table = db.options.migrationsTableName ?? 'migrations';
  const rows: Array<{ name: string }> = await db.query(`SELECT name FROM ${quote(table)} ORDER BY id DESC LIMIT 1`);
  const name = rows[0]?.name;
  return name === undefined ? undefined : db.migrations.find((m) => (m.name ?? m.constructor.name) === name);
}

/**
 * What reverting the last applied migration would destroy: every dropped table that has rows and
 * every dropped column that holds a value somewhere, with the count. Runs no `down` statement.
 */
export async function dataLostByRevert(db: DataSource): Promise<{ migration?: string; losses: DataLoss[] }> {
  const migration = await lastApplied(db);
  if (!migration) return { losses: [] };
  const losses: DataLoss[] = [];
  for (const { table, column } of droppedByStatements(await recordDown(migration))) {
    const where = column ? ` WHERE ${quote(column)} IS NOT NULL` : '';
    const [row] = await db.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM ${quote(table)}${where}`);
    if (row && row.n > 0) losses.push({ table, ...(column ? { column } : {}), rows: row.n });
  }
  return { migration: migration.name ?? migration.constructor.name, losses };
}

/** "column users.anonymized_at (3 rows with a value), table users (12 rows)". */
export function describeLosses(losses: DataLoss[]): string {
  return losses
    .map((loss) =>
      loss.column
        ? `column ${loss.table}.${loss.column} (${loss.rows} row${loss.rows === 1 ? '' : 's'} with a value)`
        : `table ${loss.table} (${loss.rows} row${loss.rows === 1 ? '' : 's'})`,
    )
    .join(', ');
}

/**
 * Reverts the last applied migration, unless that would destroy data and `force` is false: then
 * it throws RevertRefusedError naming what would be lost, and changes nothing. Answers the name of
 * the reverted migration (undefined when none was applied).
 */
export async function revertLastMigration(db: DataSource, force: boolean): Promise<string | undefined> {
  const { migration, losses } = await dataLostByRevert(db);
  if (!migration) return undefined;
  if (losses.length > 0 && !force) {
    throw new RevertRefusedError(
      `Reverting ${migration} would destroy data: ${describeLosses(losses)}. Nothing was changed. ` +
        'Back the database up, then run the revert again with --force to go ahead.',
    );
  }
  await db.undoLastMigration({ transaction: 'each' });
  return migration;
}
