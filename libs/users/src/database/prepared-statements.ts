import type { DataSource, ObjectLiteral, QueryBuilder } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';

/** A connection of the pool as pg (and the PGlite pool) hand it out: it runs a query config. */
interface PoolClient {
  query(config: { name: string; text: string; values: unknown[] }): Promise<QueryResult>;
  query(text: string): Promise<QueryResult>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
}

interface QueryResult {
  rows: unknown[];
  rowCount: number | null;
}

/**
 * A statement of a hot path, compiled once from TypeORM's query builder and run as a **named
 * prepared statement**: PostgreSQL parses and plans it once per connection instead of on every
 * request. Measured on the 2-core machine (docs/benchmark.md, 2026-11-29): the same SQL sent
 * unnamed gave 71% (authenticate), 101% (profile) and 86% (soft delete) of a hand-written server;
 * named, 121%, 161% and 157%. TypeORM's QueryRunner has no way to name a statement, so these run
 * on a connection obtained through the driver's public `obtainMasterConnection()`.
 *
 * Parameters are the query builder's `:name` parameters; write values as `() => ':name'` in `set`
 * and `values`, so the SQL text stays the same whatever the values.
 *
 * Behind a connection pooler in transaction mode, named statements need its prepared-statement
 * support (PgBouncer 1.21+ `max_prepared_statements`).
 */
export class PreparedStatement<P extends string> {
  private compiled?: { text: string; order: P[] };

  constructor(
    /** Unique per SQL text: PostgreSQL keeps the parsed and planned statement under this name. */
    readonly name: string,
    private readonly build: (db: DataSource) => QueryBuilder<ObjectLiteral>,
    private readonly params: readonly P[],
  ) {}

  /** The SQL text and the order of its parameters, from the query builder, once. */
  private compile(db: DataSource): { text: string; order: P[] } {
    if (this.compiled) return this.compiled;
    const sentinel = (param: string) => `\u0000${param}`;
    const qb = this.build(db);
    qb.setParameters(Object.fromEntries(this.params.map((p) => [p, sentinel(p)])));
    const [text, values] = qb.getQueryAndParameters();
    const order = values.map((value) => {
      const param = this.params.find((p) => sentinel(p) === value);
      if (!param) throw new Error(`${this.name}: a parameter of the query builder is not named in the statement`);
      return param;
    });
    this.compiled = { text, order };
    return this.compiled;
  }

  /** Runs the statement on `client` (one obtained by `withConnection`). */
  async run<R>(db: DataSource, client: PoolClient, values: Record<P, unknown>): Promise<{ rows: R[]; count: number }> {
    const { text, order } = this.compile(db);
    const result = await client.query({ name: this.name, text, values: order.map((p) => values[p]) });
    return { rows: result.rows as R[], count: result.rowCount ?? 0 };
  }
}

/** Runs `work` on one connection of the pool, released afterwards (destroyed if `work` failed). */
export async function withConnection<T>(db: DataSource, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const [client, release] = (await (db.driver as PostgresDriver).obtainMasterConnection()) as [
    PoolClient,
    (error?: unknown) => void,
  ];
  // A checked-out pg client emits 'error' when its connection drops (the query in flight rejects
  // too); pg's pool listens only while the client is idle, so without this it would be uncaught.
  const ignore = () => undefined;
  client.on('error', ignore);
  try {
    const result = await work(client);
    client.removeListener('error', ignore);
    release();
    return result;
  } catch (error) {
    client.removeListener('error', ignore);
    release(error);
    throw error;
  }
}

/**
 * Runs `work` in a READ COMMITTED transaction on one connection: each statement sees what committed
 * before it. On any error the connection is destroyed instead of rolled back: the server rolls the
 * transaction back when the connection closes, and a ROLLBACK sent after a query timed out would
 * queue behind that query (pg does not cancel it) and hold the connection for as long as the
 * database is unreachable.
 */
export function inTransaction<T>(db: DataSource, work: (client: PoolClient) => Promise<T>): Promise<T> {
  return withConnection(db, async (client) => {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  });
}
