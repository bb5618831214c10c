import type { Provider } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';

/**
 * The TypeORM DataSource that holds the users tables, as the library's providers inject it. The
 * host app names the connection (`UsersModule.forRoot({ dataSource })`); the default connection
 * when it does not.
 */
export const USERS_DATA_SOURCE = Symbol('USERS_DATA_SOURCE');

/** USERS_DATA_SOURCE as an alias of the host's TypeORM connection `name` (default when absent). */
export function usersDataSourceProvider(name?: string): Provider {
  return { provide: USERS_DATA_SOURCE, useExisting: getDataSourceToken(name) };
}
