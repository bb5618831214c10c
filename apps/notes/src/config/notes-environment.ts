import { existsSync } from 'node:fs';
import {
  IsNatsServers,
  IsNatsStream,
  IsNatsSubjectPrefix,
  IsNodeEnv,
  IsPort,
  IsPostgresUrl,
  type NodeEnv,
  validateVariables,
} from '@users-service/common/config';
import { IsOptional, IsString, Matches } from 'class-validator';

/**
 * Every variable apps/notes reads, with its default; validated once at start (nothing else in the
 * app reads `process.env`). The settings it shares with the users service are validated by the same
 * rules (`@users-service/common/config`); the defaults are its own.
 */
export class NotesEnvironment {
  @IsNodeEnv()
  NODE_ENV: NodeEnv = 'development';

  @IsPort()
  PORT = 3100;

  @IsString()
  HOST = '127.0.0.1';

  /** The notes' own database: PostgreSQL when set, else embedded PGlite in PGLITE_DIR. */
  @IsOptional()
  @IsPostgresUrl('DATABASE_URL must be a postgres:// or postgresql:// URL')
  DATABASE_URL?: string;

  @IsString()
  PGLITE_DIR = '.data/notes-pglite';

  /**
   * The users service's database (PostgreSQL), read by ApiKeyGuard. Required: PGlite is one
   * process's database and cannot be shared with the users service.
   */
  @IsPostgresUrl('USERS_DATABASE_URL is required: the users service’s PostgreSQL (postgres://...)')
  USERS_DATABASE_URL: string;

  /** NATS with JetStream, where the users service publishes its events. */
  @IsNatsServers()
  NATS_URL = 'nats://127.0.0.1:4222';

  @IsNatsStream()
  NATS_STREAM = 'USERS';

  @IsNatsSubjectPrefix()
  NATS_SUBJECT_PREFIX = 'users';

  /** The durable JetStream consumer's name: one per service; replicas share it. */
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'NOTES_CONSUMER_NAME must be letters, digits, _ or -' })
  NOTES_CONSUMER_NAME = 'notes';
}

export class NotesEnvironmentError extends Error {}

/** Validates raw variables into a typed NotesEnvironment, or throws one line per bad variable. */
export function validateNotesEnvironment(raw: Record<string, unknown>): NotesEnvironment {
  const { env, problems } = validateVariables(NotesEnvironment, raw, ['DATABASE_URL', 'USERS_DATABASE_URL']);
  if (problems.length > 0) throw new NotesEnvironmentError(problems.join('\n'));
  return env;
}

/** Reads `process.env` (after `.env`, if present, without overriding it): the app's one read of it. */
export function readNotesEnvironment(): NotesEnvironment {
  if (existsSync('.env')) process.loadEnvFile('.env');
  return validateNotesEnvironment(process.env);
}
