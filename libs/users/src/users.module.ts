import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AdminBootstrapService } from './admin-bootstrap.service.js';
import { ApiKeysController } from './api-keys/api-keys.controller.js';
import { ApiKeysRepository } from './api-keys/api-keys.repository.js';
import { ApiKeysService } from './api-keys/api-keys.service.js';
import { AdminGuard } from './guards/admin.guard.js';
import { ApiKeyGuard } from './guards/api-key.guard.js';
import { OwnershipGuard } from './guards/ownership.guard.js';
import { UsersController } from './users.controller.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

/**
 * Users, their API keys, the soft delete and its lifecycle (profile, keys, restore). Importing it makes ApiKeyGuard global: every route of
 * the importing app needs an API key unless marked `@Public()`. Needs a TypeORM DataSource whose
 * options include USERS_ENTITIES and USERS_MIGRATIONS.
 */
@Module({
  controllers: [ApiKeysController, UsersController],
  providers: [
    AdminBootstrapService,
    AdminGuard,
    ApiKeysRepository,
    ApiKeysService,
    OwnershipGuard,
    UsersRepository,
    UsersService,
    { provide: APP_GUARD, useClass: ApiKeyGuard },
  ],
  exports: [AdminBootstrapService, ApiKeysService, UsersService],
})
export class UsersModule {}
