import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AllExceptionsFilter, createValidationPipe, resolveTraceId, TRACE_ID_HEADER } from '@users-service/common';
import type { NotesEnvironment } from './config/notes-environment.js';
import { NotesAppModule } from './notes-app.module.js';

/** Builds apps/notes, initialized but not listening: main.ts and the tests share it. */
export async function createNotesApp(env: NotesEnvironment): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    genReqId: (request: { headers: Record<string, string | string[] | undefined> }) =>
      resolveTraceId(request.headers[TRACE_ID_HEADER]),
  });
  adapter.getInstance().addHook('onRequest', (request, reply, done) => {
    reply.header(TRACE_ID_HEADER, request.id).header('cache-control', 'no-store');
    done();
  });
  const app = await NestFactory.create<NestFastifyApplication>(NotesAppModule.forRoot(env), adapter, {
    abortOnError: false,
    logger: env.NODE_ENV === 'test' ? ['error', 'warn'] : undefined,
  });
  app.useGlobalFilters(new AllExceptionsFilter(app.get(HttpAdapterHost)));
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  await app.init();
  return app;
}
