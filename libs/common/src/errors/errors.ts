import { AppError } from './app-error.js';

/** One problem with one field of a request, as listed in `details.fields`. */
export interface FieldViolation {
  field: string;
  rule: string;
  message: string;
}

export class BadRequestError extends AppError {
  constructor(systemMessage = 'The request could not be understood.') {
    super({
      code: 'BAD_REQUEST',
      status: 400,
      type: 'client_error',
      message: 'The request is malformed.',
      systemMessage,
    });
  }
}

/**
 * A JSON body nested deeper than the parser allows (issue 11: refused before it is parsed). Malformed,
 * empty and poisoned bodies keep DESIGN's `BAD_REQUEST`, which clients already handle.
 */
export class InvalidJsonError extends AppError {
  constructor(systemMessage = 'The request body is not valid JSON.') {
    super({
      code: 'INVALID_JSON',
      status: 400,
      type: 'client_error',
      message: 'The request body is not valid JSON.',
      systemMessage,
    });
  }
}

export class AuthenticationRequiredError extends AppError {
  constructor() {
    super({
      code: 'AUTHENTICATION_REQUIRED',
      status: 401,
      type: 'authentication_error',
      message: 'Please sign in to continue.',
      systemMessage: 'No API key was sent. Send it in the X-API-Key header.',
    });
  }
}

export class InvalidApiKeyError extends AppError {
  constructor() {
    super({
      code: 'INVALID_API_KEY',
      status: 401,
      type: 'authentication_error',
      message: 'Your API key is invalid.',
      systemMessage: 'The API key is malformed, unknown, revoked or expired, or its user is not active.',
    });
  }
}

export class InsufficientPermissionsError extends AppError {
  constructor(message = "You don't have permission to perform this action.") {
    super({ code: 'INSUFFICIENT_PERMISSIONS', status: 403, type: 'authorization_error', message });
  }
}

export class UserNotFoundError extends AppError {
  constructor() {
    super({ code: 'USER_NOT_FOUND', status: 404, type: 'client_error', message: 'User not found.' });
  }
}

export class RouteNotFoundError extends AppError {
  constructor(method: string, path: string) {
    super({
      code: 'NOT_FOUND',
      status: 404,
      type: 'client_error',
      message: 'The requested resource does not exist.',
      systemMessage: `No route matches ${method} ${path}.`,
    });
  }
}

export class EmailAlreadyExistsError extends AppError {
  constructor() {
    super({
      code: 'EMAIL_ALREADY_EXISTS',
      status: 409,
      type: 'client_error',
      message: 'A user with this e-mail address already exists.',
    });
  }
}

export class UsernameAlreadyExistsError extends AppError {
  constructor() {
    super({
      code: 'USERNAME_ALREADY_EXISTS',
      status: 409,
      type: 'client_error',
      message: 'This username is already taken.',
      systemMessage: 'A user that is not deleted already has this username.',
    });
  }
}

export class ApiKeyNotFoundError extends AppError {
  constructor() {
    super({
      code: 'API_KEY_NOT_FOUND',
      status: 404,
      type: 'client_error',
      message: 'API key not found.',
      systemMessage: 'None of your API keys that are not yet revoked has this id.',
    });
  }
}

export class LastApiKeyError extends AppError {
  constructor() {
    super({
      code: 'LAST_API_KEY',
      status: 409,
      type: 'client_error',
      message: 'This is your last active API key. Create another key before revoking it.',
      systemMessage: 'Revoking this key would leave the account without a live API key.',
    });
  }
}

export class ApiKeyLimitReachedError extends AppError {
  constructor(limit: number) {
    super({
      code: 'API_KEY_LIMIT_REACHED',
      status: 409,
      type: 'client_error',
      message: `You already have ${limit} active API keys. Revoke one before creating another.`,
      systemMessage: `MAX_API_KEYS_PER_USER is ${limit}.`,
    });
  }
}

export class LastAdminError extends AppError {
  constructor() {
    super({
      code: 'LAST_ADMIN',
      status: 409,
      type: 'client_error',
      message: 'This is the last admin account. Create another admin before deleting it.',
      systemMessage: 'Deleting this account would leave no live admin, and nobody could create users.',
    });
  }
}

export class UserAnonymizedError extends AppError {
  constructor() {
    super({
      code: 'USER_ANONYMIZED',
      status: 409,
      type: 'client_error',
      message: 'This account was anonymized under the data retention policy and cannot be restored.',
      systemMessage: 'The user was deleted longer ago than DELETED_USER_RETENTION_DAYS and has been anonymized.',
    });
  }
}

/**
 * A client that did not send its whole request within the server's time (REQUEST_TIMEOUT_MS in the
 * API). Not in DESIGN's table, which has no row for it; 408 is what HTTP names it.
 */
export class RequestTimeoutError extends AppError {
  constructor() {
    super({
      code: 'REQUEST_TIMEOUT',
      status: 408,
      type: 'client_error',
      message: 'The request took too long to arrive.',
      systemMessage: 'The request was not received in full within the time the service allows.',
    });
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(limitBytes?: number) {
    super({
      code: 'PAYLOAD_TOO_LARGE',
      status: 413,
      type: 'client_error',
      message: 'The request body is too large.',
      systemMessage:
        limitBytes === undefined
          ? 'The request body is larger than the service accepts.'
          : `The request body is larger than ${limitBytes} bytes.`,
    });
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor() {
    super({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      status: 415,
      type: 'client_error',
      message: 'The request body must be JSON.',
      systemMessage: 'Send the body as application/json.',
    });
  }
}

export class ValidationError extends AppError {
  constructor(fields: FieldViolation[]) {
    super({
      code: 'VALIDATION_ERROR',
      status: 422,
      type: 'client_error',
      message: 'Some fields are invalid.',
      systemMessage: fields.map((f) => `${f.field}: ${f.message}`).join('; '),
      details: { fields },
    });
  }
}

/** How a rate limit stands after a request was counted against it. */
export interface RateLimitState {
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

/** The `X-RateLimit-*` headers of a state (`Reset` in seconds from now, as `Retry-After`). */
export function rateLimitHeaders(state: RateLimitState): Record<string, string> {
  return {
    'x-ratelimit-limit': String(state.limit),
    'x-ratelimit-remaining': String(state.remaining),
    'x-ratelimit-reset': String(state.resetSeconds),
  };
}

export class RateLimitExceededError extends AppError {
  constructor(state: RateLimitState, systemMessage = 'Too many requests. Wait for the time in Retry-After.') {
    super({
      code: 'RATE_LIMIT_EXCEEDED',
      status: 429,
      type: 'rate_limit_error',
      message: 'Too many requests. Please try again later.',
      systemMessage,
      details: { limit: state.limit, retry_after_seconds: state.resetSeconds },
      headers: { 'retry-after': String(state.resetSeconds), ...rateLimitHeaders(state) },
    });
  }
}

export class InternalError extends AppError {
  constructor() {
    super({
      code: 'INTERNAL_ERROR',
      status: 500,
      type: 'server_error',
      message: 'Something went wrong. Please try again later.',
    });
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(systemMessage = 'The database did not answer in time.') {
    super({
      code: 'SERVICE_UNAVAILABLE',
      status: 503,
      type: 'server_error',
      message: 'The service is temporarily unavailable. Please try again later.',
      systemMessage,
      headers: { 'retry-after': '5' },
    });
  }
}
