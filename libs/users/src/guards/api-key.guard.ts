import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthenticationRequiredError, InvalidApiKeyError } from '@app/common';
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
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) {
      return true;
    }
    const request = context.switchToHttp().getRequest<RequestWithCaller>();
    const secret = request.headers[API_KEY_HEADER];
    if (secret === undefined || secret === '') throw new AuthenticationRequiredError();

    const principal = typeof secret === 'string' ? await this.apiKeys.authenticate(secret) : null;
    if (!principal) {
      // A hash prefix lets an operator match the log line to a key without the key being logged.
      const keyHashPrefix = typeof secret === 'string' ? hashApiKeySecret(secret).slice(0, 12) : null;
      request.log.warn(
        { event: 'authentication_failed', key_hash_prefix: keyHashPrefix, ip: request.ip },
        'invalid API key',
      );
      throw new InvalidApiKeyError();
    }
    request.caller = {
      userId: principal.userId,
      role: principal.role,
      apiKeyId: principal.apiKeyId,
      traceId: request.id,
      ip: request.ip,
      userAgent: request.headers['user-agent'] ?? null,
    };
    return true;
  }
}
