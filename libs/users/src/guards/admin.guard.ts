import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { InsufficientPermissionsError } from '@app/common';
import type { RequestWithCaller } from './request-with-caller.js';

/** Allows a route only for callers whose global role is `role_admin`. Runs after ApiKeyGuard. */
@Injectable()
export class AdminGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<RequestWithCaller>();
    if (request.caller?.role === 'role_admin') return true;
    request.log.warn(
      { event: 'authorization_denied', user_id: request.caller?.userId, api_key_id: request.caller?.apiKeyId },
      'permission denied',
    );
    throw new InsufficientPermissionsError();
  }
}
