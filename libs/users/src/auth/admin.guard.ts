import { type CanActivate, type ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { InsufficientPermissionsError, sharedError } from '@users-service/common';
import { type RequestWithCaller, traceIdOf } from './request-with-caller.js';

/** The 403 for anyone else, made once (see `sharedError`). */
const NOT_ADMIN = sharedError(new InsufficientPermissionsError());

/** Allows a route only for callers whose global role is `role_admin`. Runs after ApiKeyGuard. */
@Injectable()
export class AdminGuard implements CanActivate {
  private readonly logger = new Logger(AdminGuard.name);

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<RequestWithCaller>();
    if (request.caller?.role === 'role_admin') return true;
    this.logger.warn({
      event: 'authorization_denied',
      trace_id: traceIdOf(request),
      user_id: request.caller?.userId,
      api_key_id: request.caller?.apiKeyId,
      msg: 'permission denied',
    });
    throw NOT_ADMIN;
  }
}
