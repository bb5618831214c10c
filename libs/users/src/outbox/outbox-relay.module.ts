import { type DynamicModule, Module } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { OutboxRelay } from './outbox-relay.js';
import type { OutboxRelayOptions } from './outbox-relay.options.js';

/**
 * The outbox relay of the users service: with `natsUrl`, publishes the outbox to NATS JetStream
 * from application start to shutdown; without it, provides OutboxRelay for its `status()` only
 * (the rows wait). Global: import it once, in the root module. Needs the TypeORM DataSource of the users database with OUTBOX_ENTITIES.
 */
@Module({})
export class OutboxRelayModule {
  static forRoot(options: OutboxRelayOptions): DynamicModule {
    return {
      module: OutboxRelayModule,
      // One relay per app, injectable anywhere (e.g. by a readiness check).
      global: true,
      providers: [
        {
          provide: OutboxRelay,
          useFactory: (db: DataSource) => new OutboxRelay(db, options),
          inject: [getDataSourceToken(options.dataSource)],
        },
      ],
      exports: [OutboxRelay],
    };
  }
}
