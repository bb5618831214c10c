import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import v8 from 'node:v8';
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

const LOCK_FILE = '.users-service.lock';

/**
 * The live process (other than this one) holding a PGlite directory, if any: lets `main.ts` say
 * so in one line before building the app, instead of failing inside TypeORM's connection retries.
 */
export function pgliteDirectoryHolder(dataDir: string): number | undefined {
  let holder: number;
  try {
    holder = Number(readFileSync(join(dataDir, LOCK_FILE), 'utf8'));
  } catch {
    return undefined;
  }
  return holder && holder !== process.pid && isAlive(holder) ? holder : undefined;
}

/**
 * PostgreSQL settings of the embedded engine, on top of PGlite's own start parameters (which it
 * replaces wholesale when given any). PGlite's WebAssembly heap only grows, so every buffer
 * PostgreSQL sizes at start-up stays resident for the life of the process:
 *
 * - `shared_buffers` 16MB instead of 128MB: the page cache of a one-connection database whose
 *   files sit in the operating system's cache anyway; about 100 MB less resident memory.
 * - `max_connections` 1 (it is one session) instead of 100: the lock and process tables are
 *   sized for it. `wal_buffers` follows shared_buffers (1/32 of it).
 * - `maintenance_work_mem` 16MB (index builds in migrations, VACUUM) and `temp_buffers` 2MB:
 *   allocated only when used, but never given back once the heap has grown.
 *
 * Durability is PGlite's, as before: every statement's writes reach the data directory's files before
 * its result is returned (`syncToFs`), and PGlite's own defaults, kept, run with fsync off (`-F`).
 */
const PGLITE_SETTINGS: Readonly<Record<string, string>> = Object.freeze({
  shared_buffers: '16MB',
  max_connections: '1',
  maintenance_work_mem: '16MB',
  temp_buffers: '2MB',
});

const START_PARAMS = [
  ...PGlite.defaultStartParams,
  ...Object.entries(PGLITE_SETTINGS).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
];

/**
 * The first start's `initdb`, in a child process. PGlite runs initdb in a second WebAssembly
 * instance of its own, and in this process about 600 MB of its memory stayed reachable after it
 * had finished (870 MB resident after a first start against 361 MB after a restart, see
 * docs/benchmark.md); a child gives all of it back to the system when it exits.
 *
 * The child writes into a fresh directory next to `dataDir` (or, for `memory://`, sends the new
 * database as a tarball on its standard output), so a start interrupted during initdb leaves no
 * half-made database behind for the next start to "resume".
 */
const INITDB_CHILD = `
const [entry, target, params] = process.argv.slice(1);
const { PGlite } = require(entry);
(async () => {
  const db = await PGlite.create({ dataDir: target || undefined, startParams: JSON.parse(params) });
  if (!target) process.stdout.write(Buffer.from(await (await db.dumpDataDir('none')).arrayBuffer()));
  await db.close();
})().catch((error) => {
  process.stderr.write(String((error && error.stack) || error));
  process.exitCode = 1;
});
`;

const runChild = promisify(execFile);

async function initdbInChild(target: string | undefined): Promise<Buffer> {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const { stdout } = await runChild(
    process.execPath,
    ['-e', INITDB_CHILD, entry, target ?? '', JSON.stringify(START_PARAMS)],
    {
      encoding: 'buffer',
      maxBuffer: 1 << 30,
    },
  );
  return stdout;
}

/**
 * A fresh `memory://` database: initdb's result, made once per machine (per PGlite version and
 * start parameters) and kept in the system's temporary directory. Every fresh cluster is the same,
 * and initdb took 8.2 s where loading its 40 MB tarball took 2.2 s (on a busy 2-core machine): the test suite
 * opens one `memory://` database per spec file. The file is written under another name and renamed,
 * so a reader never sees half of it. `cacheDir` is for tests.
 */
export async function freshClusterTarball(cacheDir = join(tmpdir(), 'users-service-pglite')): Promise<Buffer> {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const { version } = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  const key = createHash('sha256').update(`${version}\n${JSON.stringify(START_PARAMS)}\n${INITDB_CHILD}`);
  const cache = join(cacheDir, `fresh-cluster-${key.digest('hex').slice(0, 16)}.tar`);
  try {
    return readFileSync(cache);
  } catch {
    // not made yet on this machine
  }
  const tarball = await initdbInChild(undefined);
  const partial = `${cache}.${process.pid}.partial`;
  try {
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(partial, tarball);
    renameSync(partial, cache);
  } catch {
    // A read-only or full temporary directory: the next memory:// database runs initdb again.
    rmSync(partial, { force: true });
  }
  return tarball;
}

/** Makes `dataDir` a PGlite database if it is not one yet (see INITDB_CHILD). */
async function initialiseDirectory(dataDir: string): Promise<void> {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return;
  // One name, under the directory's lock: what an interrupted first start left there goes first.
  const fresh = join(dirname(resolve(dataDir)), `.${basename(resolve(dataDir))}.initdb`);
  rmSync(fresh, { recursive: true, force: true });
  try {
    await initdbInChild(fresh);
    const entries = readdirSync(fresh);
    const taken = entries.filter((entry) => existsSync(join(dataDir, entry)));
    if (taken.length > 0) {
      throw new Error(
        `${resolve(dataDir)} holds files that are not a PGlite database (${taken.join(', ')}). ` +
          'Point PGLITE_DIR at an empty or new directory.',
      );
    }
    // PG_VERSION last: it is what marks the directory as a database.
    entries.sort((a, b) => Number(a === 'PG_VERSION') - Number(b === 'PG_VERSION'));
    for (const entry of entries) renameSync(join(fresh, entry), join(dataDir, entry));
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
}

async function openDatabase(dataDir: string, inMemory: boolean): Promise<PGlite> {
  // PGlite's PostgreSQL is 9 MB of WebAssembly. V8 compiles it with its baseline compiler (Liftoff),
  // then recompiles the functions it finds hot with TurboFan in the background; that second copy of
  // the code and the compiler's memory stayed resident, 50-70 MB (on Node 24 the start-up peak is
  // 720 MB against 160 MB). Liftoff's code alone served the service's short queries as fast
  // (docs/benchmark.md). `npm start` passes --liftoff-only on the command line; setting it here,
  // before PGlite compiles its module, covers other launches on Node 20, whose V8 still reads a flag
  // set at run time (Node 24's does not: there the command line is the only way).
  v8.setFlagsFromString('--liftoff-only');
  const options = { serializers: { [types.BOOL]: boolSerializer }, startParams: START_PARAMS };
  if (inMemory) {
    const tarball = await freshClusterTarball();
    return PGlite.create({ ...options, loadDataDir: new Blob([new Uint8Array(tarball)]) });
  }
  await initialiseDirectory(dataDir);
  return PGlite.create({ ...options, dataDir });
}

/**
 * Refuses to open a PGlite directory that another live process holds: PGlite has no lock of its
 * own and two writers corrupt it.
 */
function lockDirectory(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const lockFile = join(dataDir, LOCK_FILE);
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
      database = openDatabase(dataDir, inMemory);
    }
    return database;
  };

  class PglitePool extends EventEmitter {
    connect(callback?: (error: Error | null, client?: unknown, release?: () => void) => void): Promise<unknown> | void {
      // The database first, then the lock: a database that fails to open must not keep the lock.
      const acquired = open().then(async (db) => {
        const release = await mutex.acquire();
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
      const db = await open();
      const release = await mutex.acquire();
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
            // A database that failed to open has nothing to close; its error went to the caller.
            const db = await database.catch(() => undefined);
            await db?.close();
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
