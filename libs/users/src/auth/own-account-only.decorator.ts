import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiErrorResponse, InsufficientPermissionsError } from '@users-service/common';
import { OwnershipGuard } from './ownership.guard.js';

export const OWN_ACCOUNT_ONLY = 'users:ownAccountOnly';

export interface OwnAccountOnlyOptions {
  /** The route parameter that holds the target user id. */
  param: string;
  /** The 403 message for anyone else. */
  message: string;
  /** Let admins through too. */
  allowAdmins?: boolean;
}

/** Restricts a route to the user named by its `:user_id` parameter, and documents the 403. */
export function OwnAccountOnly(message: string, param = 'user_id'): MethodDecorator {
  return applyDecorators(
    SetMetadata(OWN_ACCOUNT_ONLY, { param, message } satisfies OwnAccountOnlyOptions),
    UseGuards(OwnershipGuard),
    ApiErrorResponse(
      "The user_id is not the caller's own (the same answer whether or not that user exists).",
      new InsufficientPermissionsError(message),
    ),
  );
}

/** Restricts a route to the user named by its `:user_id` parameter and to admins, and documents the 403. */
export function OwnAccountOrAdmin(param = 'user_id'): MethodDecorator {
  const error = new InsufficientPermissionsError();
  return applyDecorators(
    SetMetadata(OWN_ACCOUNT_ONLY, { param, message: error.message, allowAdmins: true } satisfies OwnAccountOnlyOptions),
    UseGuards(OwnershipGuard),
    ApiErrorResponse(
      "The user_id is not the caller's own and the caller is not an admin (the same answer whether or not that user exists).",
      error,
    ),
  );
}
