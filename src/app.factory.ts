import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import helmet from '@fastify/helmet';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type FastifyRequest, LogController } from 'fastify';
import { AllExceptionsFilter, createValidationPipe, resolveTraceId, TRACE_ID_HEADER } from '@app/common';
import { AppModule } from './app.module.js';
import type { Environment } from './config/environment.js';
import { SECURITY_HEADERS } from './security-headers.js';
import { setupSwagger } from './swagger.js';

const NEST_LEVELS: Record<Environment['LOG_LEVEL'], LogLevel[]> = {
  trace: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  info: ['fatal', 'error', 'warn', 'log'],
  warn: ['fatal', 'error', 'warn'],
  error: ['fatal', 'error'],
  fatal: ['fatal'],
  silent: [],
};

/** Request logs carry the path only: a query string may hold anything, a key included. */
function serializeRequest(request: FastifyRequest): Record<string, unknown> {
  return { method: request.method, path: request.url.split('?', 1)[0], remote_address: request.ip };
}

/** The Fastify adapter: trace ids, body limit and poisoning checks, JSON logs with secrets redacted. */
export function createFastifyAdapter(env: Environment): FastifyAdapter {
  const adapter = new FastifyAdapter({
    logger: {
      level: env.LOG_LEVEL,
      redact: {
        paths: ['req.headers["x-api-key"]', 'req.headers.authorization', 'api_key', '*.api_key'],
        censor: '[redacted]',
      },
      serializers: { req: serializeRequest },
    },
    genReqId: (request: { headers: Record<string, string | string[] | undefined> }) =>
      resolveTraceId(request.headers[TRACE_ID_HEADER]),
    logController: new LogController({ requestIdLogLabel: 'trace_id' }),
    bodyLimit: env.BODY_LIMIT_BYTES,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
  });
  // The trace id goes out on every answer, including those Fastify gives before Nest sees the request.
  adapter.getInstance().addHook('onRequest', (request, reply, done) => {
    reply.header(TRACE_ID_HEADER, request.id);
    done();
  });
  return adapter;
}

/**
 * What every instance of the API gets, whoever built its module: security headers (a strict
 * Content-Security-Policy that Swagger UI works under), the filter, the pipe, the docs.
 */
export function configureApp(app: NestFastifyApplication, env: Environment): void {
  // Registered before the routes (app.init), so every answer gets the headers, errors and 404s included.
  void app.register(helmet, SECURITY_HEADERS);
  app.useGlobalFilters(new AllExceptionsFilter(app.get(HttpAdapterHost)));
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  if (env.DOCS_ENABLED) setupSwagger(app);
}

/**
 * Builds the API application, fully configured but not listening. `main.ts` and the end-to-end
 * tests both use it, so tests run the real wiring.
 */
export async function createApp(env: Environment): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(env), createFastifyAdapter(env), {
    logger: new ConsoleLogger({ json: true, logLevels: NEST_LEVELS[env.LOG_LEVEL] }),
  });
  configureApp(app, env);
  await app.init();
  return app;
}
