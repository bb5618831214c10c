import { HttpException } from '@nestjs/common';
import { AppError } from './app-error.js';
import {
  BadRequestError,
  InternalError,
  PayloadTooLargeError,
  RouteNotFoundError,
  ServiceUnavailableError,
  UnsupportedMediaTypeError,
} from './errors.js';

interface RequestLine {
  method: string;
  url: string;
}

/** SQLSTATE classes and codes that mean "the database cannot serve now", not "the query is wrong". */
const UNAVAILABLE_SQLSTATES = new Set(['57014', '57P01', '57P02', '57P03', '53300', '40P01']);
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND']);
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection is not established',
  'Driver not Connected',
  // pg's client-side query_timeout: the server did not even answer with statement_timeout.
  'Query read timeout',
];

function ownCode(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const code = (value as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** True when an error (or the driver error it wraps) says the database is unreachable or too slow. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    const code = ownCode(e);
    if (code && (UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08') || UNAVAILABLE_NODE_CODES.has(code))) {
      return true;
    }
    const message = e instanceof Error ? e.message : '';
    if (UNAVAILABLE_MESSAGES.some((m) => message.includes(m))) return true;
    e = (e as { driverError?: unknown; cause?: unknown }).driverError ?? (e as { cause?: unknown }).cause;
  }
  return false;
}

function pathOf(url: string): string {
  const path = url.split('?', 1)[0] ?? '/';
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}

function fromStatus(status: number, request: RequestLine): AppError | undefined {
  switch (status) {
    case 400:
      return new BadRequestError();
    case 404:
      return new RouteNotFoundError(request.method, pathOf(request.url));
    case 405:
      return new RouteNotFoundError(request.method, pathOf(request.url));
    case 413:
      return new PayloadTooLargeError();
    case 415:
      return new UnsupportedMediaTypeError();
    default:
      return undefined;
  }
}

/** SQLSTATEs for text the database cannot store (a NUL character, an invalid byte sequence). */
const UNSTORABLE_TEXT_SQLSTATES = new Set(['22021', '22P05']);

function sqlState(error: unknown): string | undefined {
  return ownCode((error as { driverError?: unknown } | null)?.driverError) ?? ownCode(error);
}

/**
 * Maps anything thrown while serving a request to an AppError: domain errors pass through,
 * Nest's and Fastify's own HTTP errors (unknown route, unparsable body, body limits) keep their
 * status, database outages become 503, and everything else is an opaque 500.
 */
export function toAppError(exception: unknown, request: RequestLine): AppError {
  if (exception instanceof AppError) return exception;
  if (exception instanceof HttpException) {
    return fromStatus(exception.getStatus(), request) ?? new InternalError();
  }
  if (ownCode(exception) === 'FST_ERR_HANDLER_TIMEOUT') {
    return new ServiceUnavailableError('The request took too long to answer.');
  }
  const fastifyStatus = (exception as { statusCode?: unknown } | null)?.statusCode;
  if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
    const code = ownCode(exception);
    if (exception instanceof SyntaxError || code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
      return new BadRequestError('The request body is not valid JSON.');
    }
    if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
      return new BadRequestError("The body is empty but Content-Type is 'application/json'.");
    }
    return fromStatus(fastifyStatus, request) ?? new BadRequestError();
  }
  if (isDatabaseUnavailable(exception)) return new ServiceUnavailableError();
  // The client's text, not the service, is at fault: say so rather than answer 500.
  if (UNSTORABLE_TEXT_SQLSTATES.has(sqlState(exception) ?? '')) {
    return new BadRequestError('The request contains a character the service cannot store (such as NUL).');
  }
  return new InternalError();
}
