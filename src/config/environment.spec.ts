import { EnvironmentError, validateEnvironment } from './environment.js';

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
