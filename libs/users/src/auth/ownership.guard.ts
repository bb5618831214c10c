import { type CanActivate, type ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type AppError, InsufficientPermissionsError, sharedError } from '@users-service/common';
import { OWN_ACCOUNT_ONLY, type OwnAccountOnlyOptions } from './own-account-only.decorator.js';
import { type RequestWithCaller, traceIdOf } from './request-with-caller.js';

/**
 * Allows a route on `:user_id` only for that user (and, with `allowAdmins`, for admins). It
 * compares ids and nothing else, so the answer for someone else's id is the same 403 whether or
 * not that id exists: the endpoint cannot be used to discover accounts. Runs after ApiKeyGuard (global guards run first).
 */
@Injectable()
export class OwnershipGuard implements CanActivate {
  private readonly logger = new Logger(OwnershipGuard.name);
  /**
   * A route's options and its 403, made once per handler: metadata is fixed once the routes are
   * declared, and the refusal holds nothing of the request (see `sharedError`).
   */
  private readonly routes = new WeakMap<object, { options: OwnAccountOnlyOptions; refusal: AppError }>();

  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    let route = this.routes.get(handler);
    if (!route) {
      const options = this.reflector.get<OwnAccountOnlyOptions>(OWN_ACCOUNT_ONLY, handler);
      route = { options, refusal: sharedError(new InsufficientPermissionsError(options.message)) };
      this.routes.set(handler, route);
    }
    const { options, refusal } = route;
    const request = context.switchToHttp().getRequest<RequestWithCaller>();
    const caller = request.caller;
    const target = (request.params as Record<string, string | undefined>)[options.param];
    if (caller && (target === caller.userId || (options.allowAdmins && caller.role === 'role_admin'))) return true;
    this.logger.warn({
      event: 'authorization_denied',
      trace_id: traceIdOf(request),
      user_id: caller?.userId,
      api_key_id: caller?.apiKeyId,
      msg: 'permission denied',
    });
    throw refusal;
  }
}
