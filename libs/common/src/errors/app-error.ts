import { HttpException } from '@nestjs/common';

/** The `type` of an error envelope: which side of the conversation is at fault. */
export type ErrorType =
  'client_error' | 'authentication_error' | 'authorization_error' | 'rate_limit_error' | 'server_error';

export interface AppErrorOptions {
  code: string;
  status: number;
  type: ErrorType;
  /** Safe to show a person. */
  message: string;
  /** For developers; defaults to `message`. Never a stack trace, SQL, driver text or a secret. */
  systemMessage?: string;
  details?: Record<string, unknown>;
  /** Response headers that belong to the error (e.g. `Retry-After`). */
  headers?: Record<string, string>;
}

/**
 * A domain error with a stable code, status and type. The global exception filter
 * (AllExceptionsFilter) maps it to the envelope with a trace id; it is also an `HttpException`, so
 * an app that does not install that filter still answers with the right status (and a body with
 * the same `error` fields) instead of a 500.
 */
export class AppError extends HttpException {
  readonly code: string;
  readonly type: ErrorType;
  readonly systemMessage: string;
  readonly details: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(options: AppErrorOptions) {
    // An AppError is an expected answer, not a bug: capturing its stack trace would cost every
    // 401/403/404 a few microseconds for a trace nobody reads.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(
      {
        success: false,
        error: {
          code: options.code,
          message: options.message,
          system_message: options.systemMessage ?? options.message,
          type: options.type,
          status: options.status,
          details: options.details ?? {},
        },
      },
      options.status,
    );
    Error.stackTraceLimit = limit;
    this.message = options.message;
    this.name = new.target.name;
    this.code = options.code;
    this.type = options.type;
    this.systemMessage = options.systemMessage ?? options.message;
    this.details = options.details ?? {};
    this.headers = options.headers ?? {};
  }
}

/**
 * An error made once, to be thrown for every request that deserves it. An AppError holds nothing of
 * the request (the filter adds the trace id and the time), and making one costs about 6 µs, a few
 * per cent of a refusal's CPU (docs/benchmark.md). Frozen, so that nothing can change what the
 * next request gets.
 */
export function sharedError<E extends AppError>(error: E): E {
  Object.freeze(error);
  return error;
}
