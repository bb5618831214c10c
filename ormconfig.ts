import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from './src/config/data-source.options.js';
import { readEnvironment } from './src/config/environment.js';

/**
 * The TypeORM CLI's data source (`npm run migration:show`, `migration:generate`): the same options
 * builder as the app, so the CLI works on exactly the database the service would use, as the
 * schema owner (MIGRATIONS_DATABASE_URL when set). Migrations are run explicitly by the CLI, never
 * implicitly on initialize.
 */
export default new DataSource({ ...buildDataSourceOptions(readEnvironment(), 'owner'), migrationsRun: false });
