import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'users:isPublic';

/** Opens a route to callers without an API key. Every other route requires one. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
