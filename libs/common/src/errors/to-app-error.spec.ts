import { BadRequestException, NotFoundException } from '@nestjs/common';
import { UserNotFoundError } from './errors.js';
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
