import { describe, expect, it } from '@jest/globals';
import { BadRequestException, NotFoundException } from '@nestjs/common';
import { RateLimitExceededError, ServiceUnavailableError, UserNotFoundError } from './errors.js';
import { isDatabaseUnavailable, toAppError } from './to-app-error.js';

const request = { method: 'GET', url: '/v1/x?api_key=ak_secret' };

describe('toAppError', () => {
  it('passes domain errors through', () => {
    const error = new UserNotFoundError();
    expect(toAppError(error, request)).toBe(error);
  });

  it("maps Nest's unknown-route 404 to NOT_FOUND with the path but never the query string", () => {
    const error = toAppError(new NotFoundException('Cannot GET /v1/x'), request);
    expect(error).toMatchObject({ code: 'NOT_FOUND', status: 404, systemMessage: 'No route matches GET /v1/x.' });
  });

  it("maps Fastify's client errors by status, and a 400 HttpException to BAD_REQUEST", () => {
    const fastifyError = (statusCode: number, code: string) =>
      Object.assign(new Error('fastify text'), { statusCode, code });
    expect(toAppError(fastifyError(413, 'FST_ERR_CTP_BODY_TOO_LARGE'), request).code).toBe('PAYLOAD_TOO_LARGE');
    expect(toAppError(fastifyError(415, 'FST_ERR_CTP_INVALID_MEDIA_TYPE'), request).code).toBe(
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expect(toAppError(new BadRequestException('parser text'), request)).toMatchObject({
      code: 'BAD_REQUEST',
      systemMessage: 'The request could not be understood.',
    });
  });

  it('maps database outages to 503 SERVICE_UNAVAILABLE', () => {
    for (const driverError of [
      { code: '57014' },
      { code: '08006' },
      { code: 'ECONNREFUSED' },
      new Error('Connection terminated unexpectedly'),
    ]) {
      const wrapped = Object.assign(new Error('QueryFailedError: SELECT secret FROM t'), { driverError });
      expect(isDatabaseUnavailable(wrapped)).toBe(true);
      expect(toAppError(wrapped, request)).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
    }
  });

  it('answers text the database cannot store (a NUL character) with 400, not 500', () => {
    for (const code of ['22021', '22P05']) {
      const error = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), {
        driverError: { code },
      });
      expect(toAppError(error, request)).toMatchObject({
        code: 'BAD_REQUEST',
        status: 400,
        systemMessage: 'The request contains a character the service cannot store (such as NUL).',
      });
    }
  });

  it('answers anything else with an opaque 500 that carries none of the original text', () => {
    const error = toAppError(new TypeError('Cannot read properties of undefined (reading "password")'), request);
    expect(error).toMatchObject({
      code: 'INTERNAL_ERROR',
      status: 500,
      type: 'server_error',
      message: 'Something went wrong. Please try again later.',
      systemMessage: 'Something went wrong. Please try again later.',
      details: {},
    });
    expect(
      toAppError(Object.assign(new Error('duplicate key'), { driverError: { code: '23505' } }), request).code,
    ).toBe('INTERNAL_ERROR');
  });
});

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
    expect(toAppError(error, request).getStatus()).toBe(503);
  });

  it('keeps a unique violation or a syntax error a 500, with nothing of the driver text', () => {
    const error = Object.assign(new Error('duplicate key value violates unique constraint "x"'), { code: '23505' });
    const mapped = toAppError(error, request);
    expect(mapped.getStatus()).toBe(500);
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
