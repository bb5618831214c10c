import { type CanActivate, type ExecutionContext, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import {
  AuthenticationRequiredError,
  InvalidApiKeyError,
  RateLimiter,
  RateLimitExceededError,
  rateLimitHeaders,
} from '@app/common';
import { hashApiKeySecret } from '../api-keys/api-key-secret.js';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { IS_PUBLIC } from '../decorators/public.decorator.js';
import type { RequestWithCaller } from './request-with-caller.js';

/** The header the key travels in. A key in the query string is never read. */
export const API_KEY_HEADER = 'x-api-key';

/**
 * Global guard (registered by UsersModule): every route needs a valid `X-API-Key` unless marked
 * `@Public()`. Runs before any route guard, pipe or handler, so a bad key is 401 even when the
 * rest of the request is also wrong.
 *
 * With a RateLimiter (the API app provides one), the order is: (1) a client IP already over the
 * failed-authentication limit gets 429 before its key is looked up, so a flood of bad keys costs
 * no database round trip; (2) the key is looked up; a failure is counted against the IP; (3) a
 * valid key's request is counted against the key's own limit, and the `X-RateLimit-*` headers tell
 * the caller where it stands.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
    @Optional() private readonly limiter?: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) {
      return true;
    }
    const http = context.switchToHttp();
    const request = http.getRequest<RequestWithCaller>();
    const secret = request.headers[API_KEY_HEADER];
    if (secret === undefined || secret === '') throw new AuthenticationRequiredError();

    const blocked = this.limiter?.failedAuthBlocked(request.ip);
    if (blocked) {
      throw new RateLimitExceededError(blocked, 'Too many failed authentications from this address.');
    }

    const principal = typeof secret === 'string' ? await this.apiKeys.authenticate(secret) : null;
    if (!principal) {
      // A hash prefix lets an operator match the log line to a key without the key being logged.
      const keyHashPrefix = typeof secret === 'string' ? hashApiKeySecret(secret).slice(0, 12) : null;
      request.log.warn(
        { event: 'authentication_failed', key_hash_prefix: keyHashPrefix, ip: request.ip },
        'invalid API key',
      );
      const failed = await this.limiter?.recordFailedAuth(request.ip);
      if (failed?.exceeded) {
        throw new RateLimitExceededError(failed.state, 'Too many failed authentications from this address.');
      }
      throw new InvalidApiKeyError();
    }

    const counted = await this.limiter?.consumeKey(principal.apiKeyId);
    if (counted) {
      if (counted.exceeded) {
        request.log.warn({ event: 'rate_limited', api_key_id: principal.apiKeyId }, 'API key over its rate limit');
        throw new RateLimitExceededError(counted.state, 'Too many requests with this API key.');
      }
      http.getResponse<FastifyReply>().headers(rateLimitHeaders(counted.state));
    }
    request.caller = {
      userId: principal.userId,
      role: principal.role,
      apiKeyId: principal.apiKeyId,
      traceId: request.id,
      ip: request.ip,
      userAgent: request.headers['user-agent'] ?? null,
      user: principal.user,
    };
    return true;
  }
}
