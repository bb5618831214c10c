export { AppError, type AppErrorOptions, type ErrorType, sharedError } from './errors/app-error.js';
export { type ErrorEnvelope, isoSeconds, toErrorEnvelope } from './errors/error-envelope.js';
export {
  ApiKeyLimitReachedError,
  ApiKeyNotFoundError,
  AuthenticationRequiredError,
  BadRequestError,
  EmailAlreadyExistsError,
  type FieldViolation,
  InsufficientPermissionsError,
  InternalError,
  InvalidApiKeyError,
  InvalidJsonError,
  LastAdminError,
  LastApiKeyError,
  PayloadTooLargeError,
  RateLimitExceededError,
  type RateLimitState,
  RequestTimeoutError,
  rateLimitHeaders,
  RouteNotFoundError,
  ServiceUnavailableError,
  UnsupportedMediaTypeError,
  UserAnonymizedError,
  UsernameAlreadyExistsError,
  UserNotFoundError,
  ValidationError,
} from './errors/errors.js';
export { isDatabaseUnavailable, toAppError } from './errors/to-app-error.js';
export { type Page, TotalCountInterceptor, TOTAL_COUNT_HEADER } from './http/total-count.interceptor.js';
export { AllExceptionsFilter } from './filters/all-exceptions.filter.js';
export { ApiErrorResponse, errorExample } from './swagger/api-error-response.decorator.js';
export { ErrorBodyDto, ErrorEnvelopeDto } from './swagger/error-envelope.dto.js';
export { MemoryRateLimitStore } from './rate-limit/memory-rate-limit.store.js';
export type { RateLimitRecord, RateLimitStore } from './rate-limit/rate-limit-store.js';
export { RateLimiter, type RateLimiterOptions } from './rate-limit/rate-limiter.js';
export { RedisRateLimitStore } from './rate-limit/redis-rate-limit.store.js';
export { newTraceId, resolveTraceId, TRACE_ID_HEADER } from './trace/trace-id.js';
export { createValidationPipe } from './validation/validation.pipe.js';
