import { type DynamicModule, Global, Module } from '@nestjs/common';
import { Environment } from './environment.js';

/** Makes the validated Environment injectable everywhere, with the class itself as the token. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(env: Environment): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: Environment, useValue: env }], exports: [Environment] };
  }
}
