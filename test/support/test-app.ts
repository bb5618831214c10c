import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getDataSourceToken } from '@nestjs/typeorm';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { UserFactory } from '@users-service/users/testing';
import { createApp } from '../../src/app.factory.js';
import { validateEnvironment } from '../../src/config/environment.js';
import { newLogFile } from './logs.mjs';

export type Engine = 'pglite' | 'postgres';

export interface TestApp {
  engine: Engine;
  app: NestFastifyApplication;
  db: DataSource;
  users: UserFactory;
  baseUrl: string;
  /** The PostgreSQL URL of this app's own database (postgres engine only). */
  databaseUrl?: string;
  /** The file this app logs to (scanned for leaked keys after the suite). */
  logFile: string;
  /** fetch against the running service over real HTTP. */
  request(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** Which engine this Jest project runs on (set by test/support/jest/engine-*.setup.cjs). */
export function engine(): Engine {
  return process.env.E2E_ENGINE === 'postgres' ? 'postgres' : 'pglite';
}

/** A database of its own on the PostgreSQL of TEST_DATABASE_URL, dropped again on close. */
export async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `users_e2e_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * Boots the real application (the same factory as `main.ts`, real migrations) on a fresh
 * database of this project's engine, listening on a free port of 127.0.0.1.
 */
export interface StartOptions {
  /** Rewrites the database URL the app connects with (e.g. through a TcpProxy); postgres only. */
  connectVia?: (url: string) => string;
}

export async function startTestApp(
  overrides: Record<string, string> = {},
  options: StartOptions = {},
): Promise<TestApp> {
  const which = engine();
  const database = which === 'postgres' ? await createPostgresDatabase() : undefined;
  const logFile = overrides.LOG_FILE ?? newLogFile(`app-${which}`);
  const env = validateEnvironment({
    NODE_ENV: 'test',
    // Logs go to a file of their own, which the global teardown scans for leaked keys.
    LOG_LEVEL: 'info',
    LOG_FILE: logFile,
    PGLITE_DIR: 'memory://',
    // Specs send many bad keys from 127.0.0.1; the rate-limit spec sets its own limits (with the
    // deprecated name too, which the new one would override).
    ...(overrides.RATE_LIMIT_PER_KEY_PER_MINUTE ? {} : { RATE_LIMIT_PER_USER_PER_MINUTE: '1000000' }),
    RATE_LIMIT_FAILED_AUTH_PER_MINUTE: '1000000',
    ...(database ? { DATABASE_URL: options.connectVia ? options.connectVia(database.url) : database.url } : {}),
    ...overrides,
  });
  const app = await createApp(env);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  if (!address || typeof address === 'string') throw new Error('no TCP address');
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const db = app.get<DataSource>(getDataSourceToken());
  return {
    engine: which,
    app,
    db,
    users: new UserFactory(db),
    baseUrl,
    databaseUrl: database?.url,
    logFile,
    request: (path, init) => fetch(`${baseUrl}${path}`, init),
    close: async () => {
      await app.close();
      await database?.drop();
    },
  };
}
