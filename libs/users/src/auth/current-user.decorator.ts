import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Caller } from './caller.js';
import type { RequestWithCaller } from './request-with-caller.js';

/** The authenticated caller, as ApiKeyGuard set it. Only on routes that are not public. */
export const CurrentUser = createParamDecorator((_: unknown, context: ExecutionContext): Caller => {
  const caller = context.switchToHttp().getRequest<RequestWithCaller>().caller;
  if (!caller) throw new Error('@CurrentUser() used on a route without ApiKeyGuard');
  return caller;
});
