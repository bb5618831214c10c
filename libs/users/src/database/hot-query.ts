import type { DataSource } from 'typeorm';

/** A query of a hot path: a named prepared statement, with its parameters. */
export interface HotQuery {
  /** Unique per SQL text: PostgreSQL keeps the parsed and planned statement under this name. */
  name: string;
  text: string;
  values: unknown[];
}

interface DriverPool {
  query<R>(query: HotQuery): Promise<{ rows: R[] }>;
}

/**
 * Runs a query of a hot path (authenticate, soft delete) straight on the connection pool under
 * TypeORM (pg's Pool, or the PGlite pool), as a named prepared statement: PostgreSQL parses and plans
 * it once per connection instead of on every request, and no TypeORM QueryRunner is built around
 * a single statement. Transactions and the other queries keep going through TypeORM.
 *
 * Behind a connection pooler in transaction mode, named statements need its prepared-statement
 * support (PgBouncer 1.21+ `max_prepared_statements`).
 */
export async function runHotQuery<R>(db: DataSource, query: HotQuery): Promise<R[]> {
  const pool = (db.driver as unknown as { master: DriverPool }).master;
  return (await pool.query<R>(query)).rows;
}
