import { type CanActivate, type ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import {
  AuthenticationRequiredError,
  InvalidApiKeyError,
  type RateLimiter,
  RateLimitExceededError,
  rateLimitHeaders,
  sharedError,
} from '@users-service/common';
import { hashApiKeySecret } from '../api-keys/api-key-secret.js';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { IS_PUBLIC } from './public.decorator.js';
import { USERS_MODULE_OPTIONS, type UsersModuleOptions } from '../users/users.module-definition.js';
import { type RequestWithCaller, traceIdOf } from './request-with-caller.js';

/** The refusals of every request without a usable key, made once (see `sharedError`). */
const NO_KEY = sharedError(new AuthenticationRequiredError());
const INVALID_KEY = sharedError(new InvalidApiKeyError());

/** The header the key travels in. A key in the query string is never read. */
export const API_KEY_HEADER = 'x-api-key';

/**
 * Authenticates a request by its `X-API-Key`: global with `UsersModule.forRoot({ globalGuard: true })`
 * (every route needs a key unless marked `@Public()`; it runs before any route guard, pipe or
 * handler, so a bad key is 401 even when the rest of the request is also wrong), or on a host's
 * routes with `@UseGuards(ApiKeyGuard)`. Works on Fastify and Express.
 *
 * With the module's `rateLimiter` option, the order is: (1) a client IP already over the
 * failed-authentication limit gets 429 before its key is looked up, so a flood of bad keys costs
 * no database round trip; (2) the key is looked up; a failure is counted against the IP; (3) a
 * valid key's request is counted against its user's limit (all of a user's keys share it), and the
 * `X-RateLimit-*` headers tell the caller where it stands.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly logger = new Logger(ApiKeyGuard.name);
  private readonly limiter: RateLimiter | null;
  /**
   * Whether a route is `@Public()`, read once per controller class and handler (a handler inherited
   * by two controllers may be public in one only): metadata is fixed once the routes are declared.
   */
  private readonly publicRoutes = new WeakMap<object, WeakMap<object, boolean>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(USERS_MODULE_OPTIONS) options: UsersModuleOptions,
  ) {
    this.limiter = options.rateLimiter ?? null;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.isPublic(context)) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<RequestWithCaller>();
    const secret = request.headers[API_KEY_HEADER];
    if (secret === undefined || secret === '') throw NO_KEY;
    const ip = request.ip ?? 'unknown';

    const blocked = this.limiter?.failedAuthBlocked(ip);
    if (blocked) {
      throw new RateLimitExceededError(blocked, 'Too many failed authentications from this address.');
    }

    const liveKey = typeof secret === 'string' ? await this.apiKeys.authenticate(secret) : null;
    if (!liveKey) {
      // A hash prefix lets an operator match the log line to a key without the key being logged.
      const keyHashPrefix = typeof secret === 'string' ? hashApiKeySecret(secret).slice(0, 12) : null;
      this.logger.warn({
        event: 'authentication_failed',
        trace_id: traceIdOf(request),
        key_hash_prefix: keyHashPrefix,
        ip: request.ip,
        msg: 'invalid API key',
      });
      const failed = await this.limiter?.recordFailedAuth(ip);
      if (failed?.exceeded) {
        throw new RateLimitExceededError(failed.state, 'Too many failed authentications from this address.');
      }
      throw INVALID_KEY;
    }

    // Counted per user, not per key: all keys of a user share one budget, so more keys buy no more
    // requests (RATE_LIMIT_PER_USER_PER_MINUTE in the API app).
    const counted = await this.limiter?.consumeUser(liveKey.userId);
    if (counted) {
      if (counted.exceeded) {
        this.logger.warn({
          event: 'rate_limited',
          trace_id: traceIdOf(request),
          api_key_id: liveKey.apiKeyId,
          user_id: liveKey.userId,
          msg: 'user over the rate limit',
        });
        throw new RateLimitExceededError(
          counted.state,
          "Too many requests for this user (all of the user's API keys share one budget).",
        );
      }
      const response: unknown = http.getResponse();
      for (const [name, value] of Object.entries(rateLimitHeaders(counted.state))) {
        this.adapterHost.httpAdapter.setHeader(response, name, value);
      }
    }
    const userAgent = request.headers['user-agent'];
    request.caller = {
      userId: liveKey.userId,
      role: liveKey.role,
      apiKeyId: liveKey.apiKeyId,
      traceId: traceIdOf(request),
      ip: request.ip ?? null,
      userAgent: typeof userAgent === 'string' ? userAgent : null,
      user: liveKey.user,
    };
    return true;
  }

  private isPublic(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    const controller = context.getClass();
    let handlers = this.publicRoutes.get(controller);
    if (!handlers) {
      handlers = new WeakMap();
      this.publicRoutes.set(controller, handlers);
    }
    let isPublic = handlers.get(handler);
    if (isPublic === undefined) {
      isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, [handler, controller]) === true;
      handlers.set(handler, isPublic);
    }
    return isPublic;
  }
}
