import { RateLimitExceededError, ServiceUnavailableError } from './errors.js';
import { isDatabaseUnavailable, toAppError } from './to-app-error.js';

const request = { method: 'GET', url: '/x' };

describe('toAppError (reliability cases)', () => {
  it("maps Fastify's handler timeout to 503", () => {
    const error = Object.assign(new Error('timeout'), { code: 'FST_ERR_HANDLER_TIMEOUT', statusCode: 503 });
    expect(toAppError(error, request)).toEqual(new ServiceUnavailableError('The request took too long to answer.'));
  });

  it.each([
    [
      'a killed session',
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
    ],
    ['statement_timeout', Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' })],
    ["pg's query_timeout", new Error('Query read timeout')],
    ['a pool that cannot connect', new Error('timeout exceeded when trying to connect')],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['a wrapped driver error', Object.assign(new Error('QueryFailedError'), { driverError: { code: '57P01' } })],
  ])('treats %s as the database being unavailable (503)', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(toAppError(error, request).status).toBe(503);
  });

  it('keeps a unique violation or a syntax error a 500, with nothing of the driver text', () => {
    const error = Object.assign(new Error('duplicate key value violates unique constraint "x"'), { code: '23505' });
    const mapped = toAppError(error, request);
    expect(mapped.status).toBe(500);
    expect(JSON.stringify(mapped)).not.toContain('duplicate');
  });

  it('gives a rate-limit error its headers', () => {
    const error = new RateLimitExceededError({ limit: 10, remaining: 0, resetSeconds: 7 });
    expect(error.headers).toEqual({
      'retry-after': '7',
      'x-ratelimit-limit': '10',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': '7',
    });
    expect(error).toMatchObject({ status: 429, code: 'RATE_LIMIT_EXCEEDED', type: 'rate_limit_error' });
  });
});
