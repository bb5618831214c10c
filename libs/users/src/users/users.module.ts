import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AdminBootstrapService } from './admin-bootstrap.service.js';
import { ApiKeysController } from '../api-keys/api-keys.controller.js';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { AuditEventsController } from '../audit/audit-events.controller.js';
import { AuditEventsRepository } from '../audit/audit-events.repository.js';
import { AuditEventsService } from '../audit/audit-events.service.js';
import { USERS_DATA_SOURCE, usersDataSourceProvider } from '../database/users-data-source.js';
import { AdminGuard } from '../auth/admin.guard.js';
import { ApiKeyGuard } from '../auth/api-key.guard.js';
import { OwnershipGuard } from '../auth/ownership.guard.js';
import { UsersController } from './users.controller.js';
import {
  ConfigurableUsersModule,
  USERS_MODULE_ASYNC_OPTIONS_TYPE,
  USERS_MODULE_DEFAULTS,
  USERS_MODULE_OPTIONS,
  USERS_MODULE_OPTIONS_TYPE,
  type UsersModuleExtras,
} from './users.module-definition.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

/**
 * Users, their API keys, the soft delete and its lifecycle (profile, keys, restore, audit log), on
 * the host's TypeORM connection `dataSource` (whose options include USERS_ENTITIES; the migrations
 * are the owning service's business, see docs/library.md).
 *
 * By default it only provides: UsersService, ApiKeysService, AuditEventsService and the guards
 * (ApiKeyGuard, OwnershipGuard, AdminGuard) for the host's own routes. `globalGuard: true` makes
 * ApiKeyGuard global; `controllers: true` mounts the users API. Global, so the guards resolve in
 * every module of the host.
 */
@Module({})
export class UsersModule extends ConfigurableUsersModule {
  static forRoot(options: typeof USERS_MODULE_OPTIONS_TYPE): DynamicModule {
    return UsersModule.complete(super.forRoot(options), options);
  }

  static forRootAsync(options: typeof USERS_MODULE_ASYNC_OPTIONS_TYPE): DynamicModule {
    return UsersModule.complete(super.forRootAsync(options), options);
  }

  private static complete(definition: DynamicModule, given: UsersModuleExtras): DynamicModule {
    const extras = { ...USERS_MODULE_DEFAULTS, ...given };
    const providers: Provider[] = [
      usersDataSourceProvider(extras.dataSource),
      AdminBootstrapService,
      AdminGuard,
      ApiKeyGuard,
      AuditEventsRepository,
      AuditEventsService,
      OwnershipGuard,
      UsersRepository,
      UsersService,
      ...(extras.globalGuard ? [{ provide: APP_GUARD, useExisting: ApiKeyGuard }] : []),
    ];
    return {
      ...definition,
      global: true,
      imports: [...(definition.imports ?? []), ApiKeysModule],
      controllers: extras.controllers ? [ApiKeysController, AuditEventsController, UsersController] : [],
      providers: [...(definition.providers ?? []), ...providers],
      exports: [
        AdminBootstrapService,
        AdminGuard,
        ApiKeyGuard,
        ApiKeysModule,
        AuditEventsService,
        OwnershipGuard,
        USERS_DATA_SOURCE,
        USERS_MODULE_OPTIONS,
        UsersService,
      ],
    };
  }
}
