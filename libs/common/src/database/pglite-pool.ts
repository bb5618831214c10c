import { EventEmitter } from 'node:events';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite, types } from '@electric-sql/pglite';

type Callback<T> = (error: Error | null, result?: T) => void;

interface QueryResultLike {
  rows: unknown[];
  rowCount: number;
  fields: unknown[];
}

/** A FIFO lock: PGlite is one connection, so one holder at a time. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();

  acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((r) => (release = r));
    const granted = this.tail.then(() => release);
    this.tail = this.tail.then(() => next);
    return granted;
  }
}

/** TypeORM sends booleans as JS values or as the strings it builds; PGlite wants TRUE/FALSE. */
const boolSerializer = (value: unknown): string =>
  value === true || value === 'true' || value === 1
    ? 'TRUE'
    : value === false || value === 'false' || value === 0
      ? 'FALSE'
      : String(value);

function normalise(result: { rows: unknown[]; affectedRows?: number; fields: unknown[] }): QueryResultLike {
  return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length, fields: result.fields };
}

async function run(db: PGlite, text: string, params?: unknown[]): Promise<QueryResultLike> {
  if (params && params.length > 0) return normalise(await db.query(text, params));
  // Parameterless text may hold several statements (migrations); answer with the last result, as pg does.
  const results = await db.exec(text);
  return normalise(results[results.length - 1] ?? { rows: [], fields: [] });
}

/**
 * Refuses to open a PGlite directory that another live process holds: PGlite has no lock of its
 * own and two writers corrupt it.
 */
function lockDirectory(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const lockFile = join(dataDir, '.users-service.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(lockFile, 'utf8'));
      if (holder && holder !== process.pid && isAlive(holder)) {
        throw new Error(
          `The embedded database in ${resolve(dataDir)} is in use by process ${holder}. ` +
            'Stop that process first, or set DATABASE_URL to use a PostgreSQL server.',
        );
      }
      rmSync(lockFile, { force: true });
    }
  }
  throw new Error(`Could not lock ${lockFile}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A `pg`-compatible driver module for TypeORM's postgres driver, backed by embedded PGlite.
 *
 * Why not typeorm-pglite: its pool hands the same connection to every caller at once, so two
 * concurrent transactions interleave their statements on PGlite's single session. This pool has
 * exactly one client, and `connect()` waits until the previous holder releases it, which gives
 * every transaction (and every single query) the session to itself.
 */
export function createPgliteDriver(dataDir: string): { Pool: new () => EventEmitter } {
  const inMemory = dataDir.startsWith('memory://');
  const mutex = new Mutex();
  let database: Promise<PGlite> | undefined;
  let unlock: (() => void) | undefined;

  const open = (): Promise<PGlite> => {
    if (!database) {
      if (!inMemory) unlock = lockDirectory(dataDir);
      database = PGlite.create({
        dataDir: inMemory ? undefined : dataDir,
        serializers: { [types.BOOL]: boolSerializer },
      });
    }
    return database;
  };

  class PglitePool extends EventEmitter {
    connect(callback?: (error: Error | null, client?: unknown, release?: () => void) => void): Promise<unknown> | void {
      const acquired = Promise.all([open(), mutex.acquire()]).then(([db, release]) => {
        let released = false;
        const client = {
          // Like pg's client: text and values, or a query config (`{ name, text, values }`, run unnamed).
          query: (
            text: string | { text: string; values?: unknown[] },
            params?: unknown[] | Callback<QueryResultLike>,
            cb?: Callback<QueryResultLike>,
          ) => {
            const callbackFn = typeof params === 'function' ? params : cb;
            const values = typeof params === 'function' ? undefined : params;
            const promise = typeof text === 'string' ? run(db, text, values) : run(db, text.text, text.values);
            if (!callbackFn) return promise;
            promise.then(
              (r) => callbackFn(null, r),
              (e: Error) => callbackFn(e),
            );
            return undefined;
          },
          release: () => {
            if (released) return;
            released = true;
            release();
          },
          // TypeORM subscribes to connection errors; an in-process database has none to report.
          on: () => client,
          removeListener: () => client,
        };
        return client;
      });
      if (!callback) return acquired;
      acquired.then(
        (client) => callback(null, client, client.release),
        (error: Error) => callback(error),
      );
    }

    /**
     * pg's `pool.query`, in both forms: text and values, or a query config (`{ name, text, values }`,
     * a named prepared statement on PostgreSQL; PGlite runs it as a plain parameterised query).
     */
    async query(text: string | { text: string; values?: unknown[] }, params?: unknown[]): Promise<QueryResultLike> {
      const [db, release] = await Promise.all([open(), mutex.acquire()]);
      try {
        return typeof text === 'string' ? await run(db, text, params) : await run(db, text.text, text.values);
      } finally {
        release();
      }
    }

    end(callback?: (error?: Error | null) => void): Promise<void> {
      const closing = (async () => {
        if (database) {
          const release = await mutex.acquire();
          try {
            await (await database).close();
          } finally {
            database = undefined;
            unlock?.();
            unlock = undefined;
            release();
          }
        }
      })();
      if (callback)
        closing.then(
          () => callback(null),
          (error: Error) => callback(error),
        );
      return closing;
    }
  }

  return { Pool: PglitePool };
}
