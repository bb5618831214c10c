import { describe, expect, it } from '@jest/globals';
import { configurationWarnings, EnvironmentError, trustProxySetting, validateEnvironment } from './environment.js';

describe('validateEnvironment', () => {
  it('fills every default', () => {
    expect({ ...validateEnvironment({}) }).toEqual({
      NODE_ENV: 'development',
      PORT: 3000,
      HOST: '127.0.0.1',
      PGLITE_DIR: '.data/pglite',
      DB_POOL_SIZE: 10,
      DB_CONNECT_TIMEOUT_MS: 3000,
      DB_STATEMENT_TIMEOUT_MS: 5000,
      MIGRATIONS_RUN: true,
      BOOTSTRAP_ADMIN_EMAIL: 'admin@example.com',
      DOCS_ENABLED: true,
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'auto',
      BODY_LIMIT_BYTES: 65536,
      RETENTION_SCHEDULE: '17 * * * *',
      RETENTION_BATCH_SIZE: 500,
      RATE_LIMIT_PER_USER_PER_MINUTE: 600,
      MAX_API_KEYS_PER_USER: 20,
      RATE_LIMIT_FAILED_AUTH_PER_MINUTE: 30,
      REDIS_KEY_PREFIX: 'users-service:rate-limit:',
      RATE_LIMIT_ON_STORE_FAILURE: 'allow',
      REDIS_COMMAND_TIMEOUT_MS: 50,
      NATS_STREAM: 'USERS',
      NATS_SUBJECT_PREFIX: 'users',
      OUTBOX_RETENTION_HOURS: 72,
      TRUST_PROXY: 'false',
      REQUEST_TIMEOUT_MS: 10_000,
      SHUTDOWN_DRAIN_MS: 5000,
      SHUTDOWN_TIMEOUT_MS: 9000,
    });
  });

  it('parses numbers and booleans from strings and ignores unrelated variables', () => {
    const env = validateEnvironment({ PORT: '8080', DOCS_ENABLED: 'false', MIGRATIONS_RUN: '0', HOME: '/root' });
    expect(env).toMatchObject({ PORT: 8080, DOCS_ENABLED: false, MIGRATIONS_RUN: false });
    expect(env).not.toHaveProperty('HOME');
  });

  it('treats an empty DATABASE_URL or BOOTSTRAP_ADMIN_KEY as unset', () => {
    const env = validateEnvironment({ DATABASE_URL: '', BOOTSTRAP_ADMIN_KEY: '' });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.BOOTSTRAP_ADMIN_KEY).toBeUndefined();
  });

  it('stops with a message naming every bad variable, without echoing values', () => {
    const secretish = 'ak_tooShort';
    let error: unknown;
    try {
      validateEnvironment({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        BOOTSTRAP_ADMIN_KEY: secretish,
        LOG_LEVEL: 'loud',
        RATE_LIMIT_ON_STORE_FAILURE: 'open',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EnvironmentError);
    const message = (error as Error).message;
    for (const name of ['PORT', 'DATABASE_URL', 'BOOTSTRAP_ADMIN_KEY', 'LOG_LEVEL', 'RATE_LIMIT_ON_STORE_FAILURE'])
      expect(message).toContain(name);
    expect(message).not.toContain(secretish);
  });
});

describe('the events settings of the environment', () => {
  it('accepts one or several nats:// and tls:// URLs, and refuses anything else naming NATS_URL', () => {
    expect(validateEnvironment({ NATS_URL: 'nats://127.0.0.1:4222' }).NATS_URL).toBe('nats://127.0.0.1:4222');
    expect(validateEnvironment({ NATS_URL: 'nats://a:4222,tls://b:4222' }).NATS_URL).toBe('nats://a:4222,tls://b:4222');
    expect(validateEnvironment({ NATS_URL: '' }).NATS_URL).toBeUndefined();
    for (const bad of ['http://a:4222', 'nats://a:4222, nats://b', '127.0.0.1:4222'])
      expect(() => validateEnvironment({ NATS_URL: bad })).toThrow(
        'NATS_URL: NATS_URL must be a nats:// or tls:// URL, or a comma-separated list of them',
      );
  });

  it('takes OUTBOX_RETENTION_HOURS as a whole number of hours, at least 1', () => {
    expect(validateEnvironment({ OUTBOX_RETENTION_HOURS: '24' }).OUTBOX_RETENTION_HOURS).toBe(24);
    for (const bad of ['0', '1.5', 'day'])
      expect(() => validateEnvironment({ OUTBOX_RETENTION_HOURS: bad })).toThrow('OUTBOX_RETENTION_HOURS');
  });
});

describe('reliability settings of the environment', () => {
  it('has safe defaults', () => {
    const env = validateEnvironment({});
    expect(env).toMatchObject({
      RATE_LIMIT_PER_USER_PER_MINUTE: 600,
      RATE_LIMIT_FAILED_AUTH_PER_MINUTE: 30,
      TRUST_PROXY: 'false',
      REQUEST_TIMEOUT_MS: 10_000,
      SHUTDOWN_TIMEOUT_MS: 9000,
    });
    expect(env.REDIS_URL).toBeUndefined();
    expect(env.LOG_FILE).toBeUndefined();
  });

  it.each([
    ['false', false],
    ['0', false],
    ['1', 1],
    ['2', 2],
    ['10.0.0.1', ['10.0.0.1']],
    ['10.0.0.0/8, 127.0.0.1', ['10.0.0.0/8', '127.0.0.1']],
    ['loopback', ['loopback']],
  ])('TRUST_PROXY=%s is %j for Fastify', (value, expected) => {
    expect(trustProxySetting(validateEnvironment({ TRUST_PROXY: value }).TRUST_PROXY)).toEqual(expected);
  });

  it.each([
    ['TRUST_PROXY', 'yes please'],
    ['REDIS_URL', 'http://redis'],
    ['RATE_LIMIT_PER_USER_PER_MINUTE', '0'],
    ['RATE_LIMIT_PER_KEY_PER_MINUTE', '0'],
    ['RATE_LIMIT_FAILED_AUTH_PER_MINUTE', 'many'],
    ['SHUTDOWN_TIMEOUT_MS', '120000'],
  ])('refuses %s=%s', (name, value) => {
    expect(() => validateEnvironment({ [name]: value })).toThrow(name);
  });
});

describe('the two database roles of the environment', () => {
  const runtime = 'postgres://users_app:secret1@db.internal:5432/users';
  const owner = 'postgres://users_owner:secret2@db.internal:5432/users';

  it('takes MIGRATIONS_DATABASE_URL beside DATABASE_URL, and leaves it unset by default', () => {
    expect(validateEnvironment({ DATABASE_URL: runtime, MIGRATIONS_DATABASE_URL: owner })).toMatchObject({
      DATABASE_URL: runtime,
      MIGRATIONS_DATABASE_URL: owner,
    });
    expect(validateEnvironment({ DATABASE_URL: runtime }).MIGRATIONS_DATABASE_URL).toBeUndefined();
    expect(validateEnvironment({ DATABASE_URL: runtime, MIGRATIONS_DATABASE_URL: '' }).MIGRATIONS_DATABASE_URL).toBe(
      undefined,
    );
  });

  it('refuses MIGRATIONS_DATABASE_URL without DATABASE_URL (the embedded PGlite has one role), not echoing it', () => {
    let message = '';
    try {
      validateEnvironment({ MIGRATIONS_DATABASE_URL: owner });
    } catch (error) {
      expect(error).toBeInstanceOf(EnvironmentError);
      message = (error as Error).message;
    }
    expect(message).toBe(
      'Invalid configuration:\n  MIGRATIONS_DATABASE_URL: MIGRATIONS_DATABASE_URL (the schema owner) needs DATABASE_URL ' +
        '(the runtime role) beside it; without DATABASE_URL the service uses the embedded PGlite, which has one role',
    );
  });

  it('refuses a MIGRATIONS_DATABASE_URL that is not a PostgreSQL URL, and a DATABASE_URL that names no role beside it', () => {
    expect(() => validateEnvironment({ DATABASE_URL: runtime, MIGRATIONS_DATABASE_URL: 'mysql://x' })).toThrow(
      'MIGRATIONS_DATABASE_URL: MIGRATIONS_DATABASE_URL must be a postgres:// or postgresql:// URL',
    );
    expect(() =>
      validateEnvironment({ DATABASE_URL: 'postgres://db.internal/users', MIGRATIONS_DATABASE_URL: owner }),
    ).toThrow(
      'DATABASE_URL: with MIGRATIONS_DATABASE_URL, DATABASE_URL must name the runtime role ' +
        '(postgres://ROLE:PASSWORD@host/database): the service grants that role what it needs',
    );
  });
});

describe('RATE_LIMIT_PER_USER_PER_MINUTE and its deprecated name RATE_LIMIT_PER_KEY_PER_MINUTE', () => {
  it('takes the new name', () => {
    expect(validateEnvironment({ RATE_LIMIT_PER_USER_PER_MINUTE: '42' })).toMatchObject({
      RATE_LIMIT_PER_USER_PER_MINUTE: 42,
    });
  });

  it('still takes the old name alone', () => {
    expect(validateEnvironment({ RATE_LIMIT_PER_KEY_PER_MINUTE: '7' })).toMatchObject({
      RATE_LIMIT_PER_USER_PER_MINUTE: 7,
    });
  });

  it('prefers the new name when both are set, whichever comes first', () => {
    for (const raw of [
      { RATE_LIMIT_PER_KEY_PER_MINUTE: '7', RATE_LIMIT_PER_USER_PER_MINUTE: '42' },
      { RATE_LIMIT_PER_USER_PER_MINUTE: '42', RATE_LIMIT_PER_KEY_PER_MINUTE: '7' },
    ])
      expect(validateEnvironment(raw)).toMatchObject({ RATE_LIMIT_PER_USER_PER_MINUTE: 42 });
  });

  it('treats an empty old name as unset', () => {
    expect(validateEnvironment({ RATE_LIMIT_PER_KEY_PER_MINUTE: '' })).toMatchObject({
      RATE_LIMIT_PER_USER_PER_MINUTE: 600,
    });
  });

  it('warns about the old name, once, naming the new one; nothing to warn about without it', () => {
    expect(configurationWarnings(validateEnvironment({}))).toEqual([]);
    expect(configurationWarnings(validateEnvironment({ RATE_LIMIT_PER_USER_PER_MINUTE: '42' }))).toEqual([]);
    expect(configurationWarnings(validateEnvironment({ RATE_LIMIT_PER_KEY_PER_MINUTE: '7' }))).toEqual([
      "RATE_LIMIT_PER_KEY_PER_MINUTE is deprecated: it is a budget per user (all of a user's keys share it), " +
        'so it is now called RATE_LIMIT_PER_USER_PER_MINUTE. Rename it; the old name will stop working.',
    ]);
    expect(
      configurationWarnings(
        validateEnvironment({ RATE_LIMIT_PER_KEY_PER_MINUTE: '7', RATE_LIMIT_PER_USER_PER_MINUTE: '42' }),
      ),
    ).toEqual([
      'RATE_LIMIT_PER_KEY_PER_MINUTE is deprecated and ignored: RATE_LIMIT_PER_USER_PER_MINUTE is set and wins. ' +
        'Remove RATE_LIMIT_PER_KEY_PER_MINUTE.',
    ]);
  });
});
