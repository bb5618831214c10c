import { type DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { UserEventsConsumer } from './user-events.consumer.js';
import { USERS_EVENTS_OPTIONS, type UsersEventsOptions } from './users-events.options.js';

/**
 * Consumes the users service's events in another Nest app: import
 * `UsersEventsModule.forRoot({ natsUrl, durableName })` and mark handler methods of your
 * providers with `@OnUserEvent('user.deleted')`. See docs/events.md.
 */
@Module({})
export class UsersEventsModule {
  static forRoot(options: UsersEventsOptions): DynamicModule {
    return {
      module: UsersEventsModule,
      imports: [DiscoveryModule],
      providers: [{ provide: USERS_EVENTS_OPTIONS, useValue: options }, UserEventsConsumer],
      exports: [UserEventsConsumer],
    };
  }
}
