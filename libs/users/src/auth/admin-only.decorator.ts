import { applyDecorators, UseGuards } from '@nestjs/common';
import { ApiErrorResponse, InsufficientPermissionsError } from '@users-service/common';
import { AdminGuard } from './admin.guard.js';

/** Restricts a route to admins (`role_admin`), and documents the 403. */
export function AdminOnly(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    UseGuards(AdminGuard),
    ApiErrorResponse('The caller is not an admin.', new InsufficientPermissionsError()),
  );
}
