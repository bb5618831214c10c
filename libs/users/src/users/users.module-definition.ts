import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { RateLimiter } from '@users-service/common';

/** What `UsersModule.forRoot()` / the factory of `forRootAsync()` provide. */
export interface UsersModuleOptions {
  /**
   * The limiter ApiKeyGuard consults: failed authentications per client IP and requests per key.
   * Absent or null: nothing is limited (the host may limit elsewhere).
   */
  rateLimiter?: RateLimiter | null;
  /** How many live (neither revoked nor expired) keys a user may hold; 20 when absent. */
  maxApiKeysPerUser?: number;
}

/** The default of `UsersModuleOptions.maxApiKeysPerUser`. */
export const DEFAULT_MAX_API_KEYS_PER_USER = 20;

/**
 * Chosen when the module is defined (they decide which providers and routes exist), so given
 * beside `useFactory` in `forRootAsync()` and beside the options in `forRoot()`.
 */
export interface UsersModuleExtras {
  /** The TypeORM connection name that holds the users tables; the default connection when absent. */
  dataSource?: string;
  /** Registers ApiKeyGuard as a global guard (APP_GUARD): every route needs a key unless `@Public()`. */
  globalGuard?: boolean;
  /** Mounts the users API's routes (/v1/user..., /v1/audit-events) in the host app. */
  controllers?: boolean;
}

export const USERS_MODULE_DEFAULTS: Required<Omit<UsersModuleExtras, 'dataSource'>> & UsersModuleExtras = {
  dataSource: undefined,
  globalGuard: false,
  controllers: false,
};

export const {
  ConfigurableModuleClass: ConfigurableUsersModule,
  MODULE_OPTIONS_TOKEN: USERS_MODULE_OPTIONS,
  OPTIONS_TYPE: USERS_MODULE_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: USERS_MODULE_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<UsersModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras<UsersModuleExtras>(USERS_MODULE_DEFAULTS, (definition) => definition)
  .build();
