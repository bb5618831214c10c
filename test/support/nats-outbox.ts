import 'reflect-metadata';
import type { LoggerService } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { USERS_ENTITIES } from '@users-service/users';
import { buildDataSourceOptions } from '../../src/config/data-source.options.js';
import { validateEnvironment } from '../../src/config/environment.js';
import { createPostgresDatabase, engine } from './test-app.js';

/** A users database of this project's engine with every migration run, and the outbox entity registered. */
export interface OutboxDatabase {
  db: DataSource;
  /** The PostgreSQL URL (postgres engine only), for a second relay's own DataSource. */
  url?: string;
  /** Another DataSource on the same database (PostgreSQL: its own pool; PGlite: the same one). */
  open(): Promise<DataSource>;
  close(): Promise<void>;
}

function options(url: string | undefined) {
  const env = validateEnvironment({
    PGLITE_DIR: 'memory://',
    MIGRATIONS_RUN: 'true',
    ...(url ? { DATABASE_URL: url } : {}),
  });
  return { ...buildDataSourceOptions(env), entities: USERS_ENTITIES };
}

export async function openOutboxDatabase(): Promise<OutboxDatabase> {
  const database = engine() === 'postgres' ? await createPostgresDatabase() : undefined;
  const db = await new DataSource(options(database?.url)).initialize();
  const others: DataSource[] = [];
  return {
    db,
    url: database?.url,
    open: async () => {
      if (!database) return db;
      const other = await new DataSource({ ...options(database.url), migrationsRun: false }).initialize();
      others.push(other);
      return other;
    },
    close: async () => {
      for (const other of others) if (other.isInitialized) await other.destroy();
      if (db.isInitialized) await db.destroy();
      await database?.drop();
    },
  };
}

/** A logger that keeps what it is told, to assert "once per outage". */
export class RecordingLogger implements LoggerService {
  readonly lines: Array<{ level: string; message: string }> = [];
  log(message: string): void {
    this.lines.push({ level: 'log', message });
  }
  warn(message: string): void {
    this.lines.push({ level: 'warn', message });
  }
  error(message: string): void {
    this.lines.push({ level: 'error', message });
  }
  of(level: string): string[] {
    return this.lines.filter((l) => l.level === level).map((l) => l.message);
  }
}

/** Polls until `check` returns true, or fails after `timeoutMs` with `what`. */
export async function waitUntil(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
