import { existsSync } from 'node:fs';
import {
  emptyToUndefined,
  IsNatsServers,
  IsNatsStream,
  IsNatsSubjectPrefix,
  IsNodeEnv,
  IsPort,
  IsPostgresUrl,
  type NodeEnv,
  toBoolean,
  toInt,
  validateVariables,
} from '@users-service/common/config';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateBy,
} from 'class-validator';
import { validateCronExpression } from 'cron';

/**
 * Every variable the service reads, with its default. Validated once at boot (see `validateEnvironment`);
 * nothing outside `src/config` reads `process.env`. `.env.example` lists the same variables.
 */
export class Environment {
  @IsNodeEnv()
  NODE_ENV: NodeEnv = 'development';

  @IsPort()
  PORT = 3000;

  @IsString()
  HOST = '127.0.0.1';

  /** The service's pool; with MIGRATIONS_DATABASE_URL, the runtime role (docs/deployment.md). */
  @IsOptional()
  @IsPostgresUrl('DATABASE_URL must be a postgres:// or postgresql:// URL')
  @ValidateBy({
    name: 'namesRuntimeRole',
    validator: {
      validate: (value: unknown, args) =>
        !(args?.object as Environment).MIGRATIONS_DATABASE_URL || databaseUser(String(value)) !== '',
      defaultMessage: () =>
        'with MIGRATIONS_DATABASE_URL, DATABASE_URL must name the runtime role ' +
        '(postgres://ROLE:PASSWORD@host/database): the service grants that role what it needs',
    },
  })
  DATABASE_URL?: string;

  /**
   * The schema owner's URL (PostgreSQL only): migrations, and the grants of the runtime role of
   * DATABASE_URL, run on a short-lived connection with it. Unset: DATABASE_URL's role does everything.
   */
  @IsOptional()
  @IsPostgresUrl('MIGRATIONS_DATABASE_URL must be a postgres:// or postgresql:// URL')
  @ValidateBy({
    name: 'needsDatabaseUrl',
    validator: {
      validate: (_value: unknown, args) => (args?.object as Environment).DATABASE_URL !== undefined,
      defaultMessage: () =>
        'MIGRATIONS_DATABASE_URL (the schema owner) needs DATABASE_URL (the runtime role) beside it; ' +
        'without DATABASE_URL the service uses the embedded PGlite, which has one role',
    },
  })
  MIGRATIONS_DATABASE_URL?: string;

  @IsString()
  PGLITE_DIR = '.data/pglite';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  DB_POOL_SIZE = 10;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  DB_CONNECT_TIMEOUT_MS = 3000;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  DB_STATEMENT_TIMEOUT_MS = 5000;

  @Transform(toBoolean)
  @IsBoolean()
  MIGRATIONS_RUN = true;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^ak_[A-Za-z0-9]{32,64}$/, {
    message: 'BOOTSTRAP_ADMIN_KEY must be ak_ followed by 32 to 64 letters or digits',
  })
  BOOTSTRAP_ADMIN_KEY?: string;

  @Matches(/^[^\s@]+@[^\s@]+$/, { message: 'BOOTSTRAP_ADMIN_EMAIL must be an e-mail address' })
  BOOTSTRAP_ADMIN_EMAIL = 'admin@example.com';

  @Transform(toBoolean)
  @IsBoolean()
  DOCS_ENABLED = true;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' = 'info';

  @Transform(toInt)
  @IsInt()
  @Min(1024)
  BODY_LIMIT_BYTES = 65536;

  /** Unset: deleted users are kept forever. Set: anonymized this many days after their deletion. */
  @Transform(({ value }) => toInt({ value: emptyToUndefined({ value }) }))
  @IsOptional()
  @IsInt({ message: 'DELETED_USER_RETENTION_DAYS must be a whole number of days' })
  @Min(1)
  @Max(36500)
  DELETED_USER_RETENTION_DAYS?: number;

  /** When the in-process retention job runs (cron, server time); `off`: only `npm run retention:run`. */
  @ValidateIf((env: Environment) => env.RETENTION_SCHEDULE !== 'off')
  @ValidateBy({
    name: 'isCron',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && validateCronExpression(value).valid,
      defaultMessage: () => 'RETENTION_SCHEDULE must be a cron expression (e.g. "17 * * * *") or off',
    },
  })
  RETENTION_SCHEDULE = '17 * * * *';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10000)
  RETENTION_BATCH_SIZE = 500;

  /**
   * `json`: one JSON object per line; `pretty`: lines a person reads; `auto` (the default): pretty
   * when standard output is a terminal and LOG_FILE is unset, JSON otherwise.
   */
  @IsIn(['auto', 'json', 'pretty'], { message: 'LOG_FORMAT must be auto, json or pretty' })
  LOG_FORMAT: 'auto' | 'json' | 'pretty' = 'auto';

  /** Write logs to this file (appending) instead of standard output. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  LOG_FILE?: string;

  /** Requests per user per minute, all of the user's API keys together; then 429. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  RATE_LIMIT_PER_USER_PER_MINUTE = 600;

  /**
   * The deprecated name of RATE_LIMIT_PER_USER_PER_MINUTE, from before the budget was the user's:
   * read only when the new name is unset (see `validateEnvironment`), with a warning at start-up.
   */
  @Transform(({ value }) => toInt({ value: emptyToUndefined({ value }) }))
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  RATE_LIMIT_PER_KEY_PER_MINUTE?: number;

  /** How many live API keys one user may hold; creating one more is 409 API_KEY_LIMIT_REACHED. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000)
  MAX_API_KEYS_PER_USER = 20;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  RATE_LIMIT_FAILED_AUTH_PER_MINUTE = 30;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @IsString()
  REDIS_KEY_PREFIX = 'users-service:rate-limit:';

  /** NATS server(s) with JetStream for the outbox relay (comma-separated); unset: events wait in the outbox. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsNatsServers()
  NATS_URL?: string;

  /** The JetStream stream of the user events (created if absent). */
  @IsNatsStream()
  NATS_STREAM = 'USERS';

  /** Events are published on `<prefix>.<type>`, e.g. `users.user.deleted`. */
  @IsNatsSubjectPrefix()
  NATS_SUBJECT_PREFIX = 'users';

  /** Published outbox events are deleted this many hours after publication. */
  @Transform(toInt)
  @IsInt({ message: 'OUTBOX_RETENTION_HOURS must be a whole number of hours' })
  @Min(1)
  @Max(87_600)
  OUTBOX_RETENTION_HOURS = 72;

  /**
   * What a request gets while the rate-limit counters (Redis) fail: `allow` lets it through
   * uncounted; `deny` answers 503 SERVICE_UNAVAILABLE.
   */
  @IsIn(['allow', 'deny'], { message: 'RATE_LIMIT_ON_STORE_FAILURE must be allow or deny' })
  RATE_LIMIT_ON_STORE_FAILURE: 'allow' | 'deny' = 'allow';

  /** How long one Redis command of the rate limiter may take before it counts as a store failure. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000)
  REDIS_COMMAND_TIMEOUT_MS = 50;

  /**
   * Which proxies may set X-Forwarded-For: `false` (none: the client is the TCP peer), a hop count,
   * or a comma-separated list of addresses/CIDRs (or proxy-addr names such as `loopback`).
   */
  @Matches(/^(false|\d{1,2}|[A-Za-z0-9.:/]+(\s*,\s*[A-Za-z0-9.:/]+)*)$/, {
    message: 'TRUST_PROXY must be false, a hop count, or a comma-separated list of addresses',
  })
  TRUST_PROXY = 'false';

  /** Longest time to receive a whole request (slow clients get 408). */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  REQUEST_TIMEOUT_MS = 10_000;

  /**
   * After SIGTERM, how long the service keeps accepting and answering requests (readiness
   * answering 503, every answer with `Connection: close`) before it stops accepting: long enough
   * for a load balancer to see the 503 and send new requests elsewhere. SIGINT (Ctrl-C) does not wait.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(60_000)
  SHUTDOWN_DRAIN_MS = 5000;

  /** After the drain, the process exits at the latest after this long, finished or not. */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(60_000)
  SHUTDOWN_TIMEOUT_MS = 9000;
}

/** Fastify's `trustProxy` for a TRUST_PROXY value. */
export function trustProxySetting(value: string): false | number | string[] {
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value) === 0 ? false : Number(value);
  return value.split(',').map((part) => part.trim());
}

/** The user name of a PostgreSQL URL (decoded), or '' when it names none. */
export function databaseUser(url: string): string {
  try {
    return decodeURIComponent(new URL(url).username);
  } catch {
    return '';
  }
}

/** The variables without a default (unset means "not used"), which a fresh Environment has no key for. */
const OPTIONAL_VARIABLES = [
  'DATABASE_URL',
  'MIGRATIONS_DATABASE_URL',
  'BOOTSTRAP_ADMIN_KEY',
  'DELETED_USER_RETENTION_DAYS',
  'LOG_FILE',
  'REDIS_URL',
  'NATS_URL',
  'RATE_LIMIT_PER_KEY_PER_MINUTE',
];

/** Raised when the environment is invalid; its message names every offending variable. */
export class EnvironmentError extends Error {}

/** Validates raw variables (strings) into a typed, defaulted `Environment`, or throws naming each bad one. */
export function validateEnvironment(raw: Record<string, unknown>): Environment {
  const { env, problems } = validateVariables(Environment, raw, OPTIONAL_VARIABLES);
  if (problems.length > 0) {
    throw new EnvironmentError(`Invalid configuration:\n${problems.map((line) => `  ${line}`).join('\n')}`);
  }
  // The deprecated name counts only when the new one is absent: with both, the new one wins.
  if (env.RATE_LIMIT_PER_KEY_PER_MINUTE !== undefined && raw.RATE_LIMIT_PER_USER_PER_MINUTE === undefined) {
    env.RATE_LIMIT_PER_USER_PER_MINUTE = env.RATE_LIMIT_PER_KEY_PER_MINUTE;
  }
  return env;
}

/** What start-up should warn about in a valid environment: deprecated names still in use. */
export function configurationWarnings(env: Environment): string[] {
  if (env.RATE_LIMIT_PER_KEY_PER_MINUTE === undefined) return [];
  if (env.RATE_LIMIT_PER_KEY_PER_MINUTE !== env.RATE_LIMIT_PER_USER_PER_MINUTE) {
    return [
      'RATE_LIMIT_PER_KEY_PER_MINUTE is deprecated and ignored: RATE_LIMIT_PER_USER_PER_MINUTE is set and wins. ' +
        'Remove RATE_LIMIT_PER_KEY_PER_MINUTE.',
    ];
  }
  return [
    "RATE_LIMIT_PER_KEY_PER_MINUTE is deprecated: it is a budget per user (all of a user's keys share it), " +
      'so it is now called RATE_LIMIT_PER_USER_PER_MINUTE. Rename it; the old name will stop working.',
  ];
}

/**
 * Reads and validates `process.env` (after loading `.env`, if there is one, without overriding
 * what the environment already sets): the one read of the process environment.
 */
export function readEnvironment(overrides: Partial<Record<keyof Environment, string>> = {}): Environment {
  if (existsSync('.env')) process.loadEnvFile('.env');
  return validateEnvironment({ ...process.env, ...overrides });
}
