import { describe, expect, it } from '@jest/globals';
import { EnvironmentError, trustProxySetting, validateEnvironment } from './environment.js';

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
      BODY_LIMIT_BYTES: 65536,
      RETENTION_SCHEDULE: '17 * * * *',
      RETENTION_BATCH_SIZE: 500,
      RATE_LIMIT_PER_KEY_PER_MINUTE: 600,
      MAX_API_KEYS_PER_USER: 20,
      RATE_LIMIT_FAILED_AUTH_PER_MINUTE: 30,
      REDIS_KEY_PREFIX: 'users-service:rate-limit:',
      TRUST_PROXY: 'false',
      REQUEST_TIMEOUT_MS: 10_000,
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
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EnvironmentError);
    const message = (error as Error).message;
    for (const name of ['PORT', 'DATABASE_URL', 'BOOTSTRAP_ADMIN_KEY', 'LOG_LEVEL']) expect(message).toContain(name);
    expect(message).not.toContain(secretish);
  });
});

describe('reliability settings of the environment', () => {
  it('has safe defaults', () => {
    const env = validateEnvironment({});
    expect(env).toMatchObject({
      RATE_LIMIT_PER_KEY_PER_MINUTE: 600,
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
    ['RATE_LIMIT_PER_KEY_PER_MINUTE', '0'],
    ['RATE_LIMIT_FAILED_AUTH_PER_MINUTE', 'many'],
    ['SHUTDOWN_TIMEOUT_MS', '120000'],
  ])('refuses %s=%s', (name, value) => {
    expect(() => validateEnvironment({ [name]: value })).toThrow(name);
  });
});
