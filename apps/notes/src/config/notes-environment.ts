import { existsSync } from 'node:fs';
import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
const emptyToUndefined = ({ value }: { value: unknown }): unknown => (value === '' ? undefined : value);

/**
 * Every variable apps/notes reads, with its default; validated once at start (nothing else in the
 * app reads `process.env`).
 */
export class NotesEnvironment {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3100;

  @IsString()
  HOST = '127.0.0.1';

  /** The notes' own database: PostgreSQL when set, else embedded PGlite in PGLITE_DIR. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

  @IsString()
  PGLITE_DIR = '.data/notes-pglite';

  /**
   * The users service's database (PostgreSQL), read by ApiKeyGuard. Required: PGlite is one
   * process's database and cannot be shared with the users service.
   */
  @Transform(emptyToUndefined)
  @Matches(/^postgres(ql)?:\/\/\S+$/, {
    message: 'USERS_DATABASE_URL is required: the users service’s PostgreSQL (postgres://...)',
  })
  USERS_DATABASE_URL: string;

  /** NATS with JetStream, where the users service publishes its events. */
  @Matches(/^(nats|tls):\/\/[^\s,]+(,(nats|tls):\/\/[^\s,]+)*$/, {
    message: 'NATS_URL must be a nats:// or tls:// URL, or a comma-separated list of them',
  })
  NATS_URL = 'nats://127.0.0.1:4222';

  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'NATS_STREAM must be a JetStream stream name' })
  NATS_STREAM = 'USERS';

  @Matches(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, { message: 'NATS_SUBJECT_PREFIX must be dot-separated tokens' })
  NATS_SUBJECT_PREFIX = 'users';

  /** The durable JetStream consumer's name: one per service; replicas share it. */
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'NOTES_CONSUMER_NAME must be letters, digits, _ or -' })
  NOTES_CONSUMER_NAME = 'notes';
}

export class NotesEnvironmentError extends Error {}

const OPTIONAL = ['DATABASE_URL', 'USERS_DATABASE_URL'];

/** Validates raw variables into a typed NotesEnvironment, or throws one line per bad variable. */
export function validateNotesEnvironment(raw: Record<string, unknown>): NotesEnvironment {
  const known = new Set([...Object.keys(new NotesEnvironment()), ...OPTIONAL]);
  const picked = Object.fromEntries(Object.entries(raw).filter(([key]) => known.has(key)));
  const env = plainToInstance(NotesEnvironment, picked, { exposeDefaultValues: true });
  const errors = validateSync(env);
  if (errors.length > 0) {
    throw new NotesEnvironmentError(
      errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`).join('\n'),
    );
  }
  return env;
}

/** Reads `process.env` (after `.env`, if present, without overriding it): the app's one read of it. */
export function readNotesEnvironment(): NotesEnvironment {
  if (existsSync('.env')) process.loadEnvFile('.env');
  return validateNotesEnvironment(process.env);
}
