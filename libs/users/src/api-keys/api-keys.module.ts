import { Module } from '@nestjs/common';
import { ApiKeysRepository } from './api-keys.repository.js';
import { ApiKeysService } from './api-keys.service.js';

/**
 * API keys: authentication by key and the caller's own keys. Imported by UsersModule, which
 * provides the data source (USERS_DATA_SOURCE) and mounts ApiKeysController when asked to.
 */
@Module({
  providers: [ApiKeysRepository, ApiKeysService],
  exports: [ApiKeysRepository, ApiKeysService],
})
export class ApiKeysModule {}
