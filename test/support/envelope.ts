import { expect } from '@jest/globals';

export interface ExpectedError {
  status: number;
  code: string;
  type: string;
  message: string;
  system_message?: string | ReturnType<typeof expect.any>;
  details?: Record<string, unknown>;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/**
 * Asserts a response is exactly the error envelope: status, every field, `details`, a trace id equal
 * to the X-Request-Id header, a fresh ISO 8601 UTC timestamp, and nothing else. Returns the body.
 */
export async function expectEnvelope(response: Response, expected: ExpectedError): Promise<Record<string, any>> {
  const body = (await response.json()) as Record<string, any>;
  const traceId = response.headers.get('x-request-id');
  expect(response.status).toBe(expected.status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(traceId).toBeTruthy();
  expect(body).toEqual({
    success: false,
    error: {
      code: expected.code,
      message: expected.message,
      system_message: expected.system_message ?? expected.message,
      type: expected.type,
      status: expected.status,
      details: expected.details ?? {},
      trace_id: traceId,
      timestamp: expect.stringMatching(TIMESTAMP),
    },
  });
  expect(Math.abs(Date.parse(body.error.timestamp) - Date.now())).toBeLessThan(60_000);
  return body;
}

/** The envelope without the two fields that differ per request. */
export function withoutTrace(body: Record<string, any>): Record<string, any> {
  const { trace_id: _t, timestamp: _s, ...rest } = body.error;
  return { ...body, error: rest };
}

export const AUTHENTICATION_REQUIRED: ExpectedError = {
  status: 401,
  code: 'AUTHENTICATION_REQUIRED',
  type: 'authentication_error',
  message: 'Please sign in to continue.',
  system_message: 'No API key was sent. Send it in the X-API-Key header.',
};

export const INVALID_API_KEY: ExpectedError = {
  status: 401,
  code: 'INVALID_API_KEY',
  type: 'authentication_error',
  message: 'Your API key is invalid.',
  system_message: 'The API key is malformed, unknown, revoked or expired, or its user is not active.',
};

/** The seed's 403, to the letter. */
export const DELETE_FORBIDDEN: ExpectedError = {
  status: 403,
  code: 'INSUFFICIENT_PERMISSIONS',
  type: 'authorization_error',
  message: 'You can only delete your own account.',
  system_message: 'You can only delete your own account.',
};

/** The seed's 404, to the letter. */
export const USER_NOT_FOUND: ExpectedError = {
  status: 404,
  code: 'USER_NOT_FOUND',
  type: 'client_error',
  message: 'User not found.',
  system_message: 'User not found.',
};

/** A body over BODY_LIMIT_BYTES, with or without a Content-Length. */
export const PAYLOAD_TOO_LARGE: ExpectedError = {
  status: 413,
  code: 'PAYLOAD_TOO_LARGE',
  type: 'client_error',
  message: 'The request body is too large.',
  system_message: 'The request body is larger than the service accepts.',
};
