import { applyDecorators, SetMetadata } from '@nestjs/common';
import { DECORATORS } from '@nestjs/swagger';

export const IS_PUBLIC = 'users:isPublic';

/**
 * Documents a route, or every route of a controller, as needing no credentials: OpenAPI
 * `security: []`, stated explicitly so that a route with no security in the document is a mistake.
 */
function ApiNoSecurity(): MethodDecorator & ClassDecorator {
  return ((target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    if (descriptor) {
      // @nestjs/swagger drops an empty method-level @ApiSecurity, so it goes in the operation itself.
      const method = descriptor.value as object;
      const operation = (Reflect.getMetadata(DECORATORS.API_OPERATION, method) ?? {}) as object;
      Reflect.defineMetadata(DECORATORS.API_OPERATION, { ...operation, security: [] }, method);
      return descriptor;
    }
    Reflect.defineMetadata(DECORATORS.API_SECURITY, [], target);
    return undefined;
  }) as MethodDecorator & ClassDecorator;
}

/** Opens a route to callers without an API key, and documents it so. Every other route requires one. */
export const Public = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(IS_PUBLIC, true), ApiNoSecurity());
