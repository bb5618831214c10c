import { type CanActivate, type ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InsufficientPermissionsError } from '@users-service/common';
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
  /** A route's options, read once per handler: metadata is fixed once the routes are declared. */
  private readonly optionsByHandler = new WeakMap<object, OwnAccountOnlyOptions>();

  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    let options = this.optionsByHandler.get(handler);
    if (!options) {
      options = this.reflector.get<OwnAccountOnlyOptions>(OWN_ACCOUNT_ONLY, handler);
      this.optionsByHandler.set(handler, options);
    }
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
    throw new InsufficientPermissionsError(options.message);
  }
}
