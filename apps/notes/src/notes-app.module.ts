import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { createPgliteDriver } from '@users-service/common/pglite';
import { USERS_ENTITIES, UsersModule } from '@users-service/users';
import { UsersEventsModule } from '@users-service/users/events';
import type { DataSourceOptions } from 'typeorm';
import type { NotesEnvironment } from './config/notes-environment.js';
import { NOTES_MIGRATIONS } from './migrations/index.js';
import { HandledEventEntity } from './notes/handled-event.entity.js';
import { NoteEntity } from './notes/note.entity.js';
import { NotesController } from './notes/notes.controller.js';
import { NotesRepository } from './notes/notes.repository.js';
import { NotesService } from './notes/notes.service.js';

/** The connection name of the users service's database (read by ApiKeyGuard, never migrated here). */
export const USERS_CONNECTION = 'users';

/** The notes' own database: PostgreSQL by DATABASE_URL, else embedded PGlite; its own migrations. */
export function notesDataSourceOptions(env: NotesEnvironment): DataSourceOptions {
  const common = {
    type: 'postgres' as const,
    entities: [NoteEntity, HandledEventEntity],
    migrations: NOTES_MIGRATIONS,
    migrationsTableName: 'notes_migrations',
    migrationsRun: true,
    synchronize: false,
    logging: false,
    applicationName: 'notes',
  };
  return env.DATABASE_URL
    ? { ...common, url: env.DATABASE_URL }
    : { ...common, driver: createPgliteDriver(env.PGLITE_DIR), poolSize: 1 };
}

/**
 * apps/notes: notes per user in its own database, routes behind the users library's ApiKeyGuard on
 * a named connection to the users database, and `users.user.deleted` consumed to hide a deleted
 * user's notes.
 */
@Module({})
export class NotesAppModule {
  static forRoot(env: NotesEnvironment): DynamicModule {
    return {
      module: NotesAppModule,
      imports: [
        TypeOrmModule.forRoot(notesDataSourceOptions(env)),
        TypeOrmModule.forRoot({
          name: USERS_CONNECTION,
          type: 'postgres',
          url: env.USERS_DATABASE_URL,
          entities: USERS_ENTITIES,
          // The users service owns that schema and runs its migrations.
          migrationsRun: false,
          synchronize: false,
          logging: false,
          applicationName: 'notes',
        }),
        UsersModule.forRoot({ dataSource: USERS_CONNECTION, globalGuard: true }),
        UsersEventsModule.forRoot({
          natsUrl: env.NATS_URL,
          durableName: env.NOTES_CONSUMER_NAME,
          stream: env.NATS_STREAM,
          subjectPrefix: env.NATS_SUBJECT_PREFIX,
        }),
      ],
      controllers: [NotesController],
      providers: [NotesRepository, NotesService],
    };
  }
}
