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
 * A domain error with a stable code. Libraries throw these instead of `HttpException`s, so that
 * a consumer without HTTP can use them; the global exception filter maps them to the envelope.
 */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly type: ErrorType;
  readonly systemMessage: string;
  readonly details: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(options: AppErrorOptions) {
    // An AppError is an expected answer, not a bug: capturing its stack trace would cost every
    // 401/403/404 a few microseconds for a trace nobody reads.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(options.message);
    Error.stackTraceLimit = limit;
    this.name = new.target.name;
    this.code = options.code;
    this.status = options.status;
    this.type = options.type;
    this.systemMessage = options.systemMessage ?? options.message;
    this.details = options.details ?? {};
    this.headers = options.headers ?? {};
  }
}
