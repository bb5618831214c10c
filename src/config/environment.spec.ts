import { trustProxySetting, validateEnvironment } from './environment.js';

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
