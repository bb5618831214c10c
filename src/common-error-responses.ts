import type { OpenAPIObject } from '@nestjs/swagger';
import {
  type AppError,
  BadRequestError,
  InvalidJsonError,
  errorExample,
  InternalError,
  PayloadTooLargeError,
  RateLimitExceededError,
  RequestTimeoutError,
  ServiceUnavailableError,
  UnsupportedMediaTypeError,
} from '@users-service/common';

type Operation = {
  security?: unknown[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
};

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;

function response(description: string, errors: AppError[]): Record<string, unknown> {
  return {
    description,
    content: {
      'application/json': {
        schema: { $ref: '#/components/schemas/ErrorEnvelopeDto' },
        // Keyed by code; a second example of one code (two kinds of BAD_REQUEST) gets a number.
        examples: Object.fromEntries(
          errors.map((e, i) => [
            errors.findIndex((other) => other.code === e.code) === i ? e.code : `${e.code}_${i + 1}`,
            { summary: e.systemMessage, value: errorExample(e) },
          ]),
        ),
      },
    },
  };
}

/** Paths that never touch the database, so never answer 503. */
const WITHOUT_DATABASE = new Set(['/health/live']);

/**
 * Documents the errors that any route of a kind can answer, whatever its controller says: 429 on
 * every route that takes an API key, 413/415 on every route with a body, 400 on every route (a
 * request head over 16 KiB; a body's faults too where there is a body), 408 on every route (a
 * request not received in full within REQUEST_TIMEOUT_MS), 503 on every route that
 * needs the database, and the generic 500. A route's own documentation of a status wins.
 */
export function addCommonErrorResponses(document: OpenAPIObject): OpenAPIObject {
  const rateLimited = new RateLimitExceededError({ limit: 600, remaining: 0, resetSeconds: 42 });
  // Node refuses such a request before routing (app.factory.ts, answerClientError): any route can get it.
  const headTooLarge = new BadRequestError(
    'The request line and headers are larger than the service accepts (16 KiB in all).',
  );
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = (item as Record<string, Operation | undefined>)[method];
      if (!operation) continue;
      const add = (status: number, description: string, ...errors: AppError[]) => {
        operation.responses[String(status)] ??= response(description, errors);
      };
      if (operation.security?.length) {
        add(
          429,
          "Too many requests for this user (all of the user's API keys share one budget), or too many failed authentications from this address. See Retry-After.",
          rateLimited,
        );
      }
      if (operation.requestBody) {
        add(
          400,
          'The body is not valid JSON or tries prototype poisoning (BAD_REQUEST), or nests deeper than 32 levels ' +
            '(INVALID_JSON); or the request line and headers exceed 16 KiB (BAD_REQUEST).',
          new BadRequestError('The request body is not valid JSON.'),
          new InvalidJsonError('The request body nests objects and arrays deeper than 32 levels.'),
          headTooLarge,
        );
        add(413, 'The body is larger than BODY_LIMIT_BYTES.', new PayloadTooLargeError());
        add(415, 'The body is not JSON.', new UnsupportedMediaTypeError());
      }
      if (!WITHOUT_DATABASE.has(path)) {
        add(503, 'The database is unreachable or too slow. See Retry-After.', new ServiceUnavailableError());
      }
      add(400, 'The request line and headers exceed 16 KiB, or the URL cannot be decoded.', headTooLarge);
      add(408, 'The request was not received in full within REQUEST_TIMEOUT_MS.', new RequestTimeoutError());
      add(500, 'An unexpected error; its details are in the log under the trace id.', new InternalError());
    }
  }
  return document;
}
