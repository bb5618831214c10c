import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { AppError } from '../errors/app-error.js';
import { toErrorEnvelope } from '../errors/error-envelope.js';
import { ErrorEnvelopeDto } from './error-envelope.dto.js';

/** The trace id and time the seed's examples show. */
const EXAMPLE_TRACE_ID = 'req_8f14e45fceea167a5a36dedd';
const EXAMPLE_TIME = new Date('2025-12-22T15:30:00Z');

/** The envelope an error produces, with the seed's example trace id and timestamp. */
export function errorExample(error: AppError): ReturnType<typeof toErrorEnvelope> {
  return toErrorEnvelope(error, EXAMPLE_TRACE_ID, EXAMPLE_TIME);
}

/**
 * Documents one error status of a route. Examples are built from the same error classes the code
 * throws, so the document cannot drift from what the service answers. Several errors can share a
 * status (e.g. the two 401s); each becomes a named example.
 */
export function ApiErrorResponse(description: string, ...errors: AppError[]): MethodDecorator & ClassDecorator {
  const [first] = errors;
  if (!first) throw new Error('ApiErrorResponse needs at least one error');
  const examples = Object.fromEntries(
    errors.map((error) => [error.code, { summary: error.systemMessage, value: errorExample(error) }]),
  );
  return applyDecorators(
    ApiExtraModels(ErrorEnvelopeDto),
    ApiResponse({
      status: first.getStatus(),
      description,
      content: {
        'application/json': {
          schema: { $ref: getSchemaPath(ErrorEnvelopeDto) },
          examples,
        },
      },
    }),
  );
}
