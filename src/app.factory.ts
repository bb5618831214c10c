import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type FastifyInstance, type FastifyRequest, LogController } from 'fastify';
import secureJson from 'secure-json-parse';
import {
  AllExceptionsFilter,
  BadRequestError,
  createValidationPipe,
  resolveTraceId,
  TRACE_ID_HEADER,
} from '@app/common';
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
  const fastify = adapter.getInstance();
  // The trace id goes out on every answer, including those Fastify gives before Nest sees the request.
  // Security headers too (computed once, see security-headers.ts), errors and unknown routes included.
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header(TRACE_ID_HEADER, request.id).headers(SECURITY_HEADERS);
    done();
  });
  acceptJsonOnly(fastify);
  return adapter;
}

/**
 * JSON is the only body the API accepts: any other content type is 415. Parse failures become
 * domain errors here, where their cause is still known, so the client gets a precise message and
 * never the parser's own text.
 */
function acceptJsonOnly(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    if (body === '') {
      done(new BadRequestError("The body is empty but Content-Type is 'application/json'."), undefined);
      return;
    }
    try {
      done(null, secureJson.parse(body, null, { protoAction: 'error', constructorAction: 'error' }));
    } catch (error) {
      const poisoned = error instanceof Error && error.message.startsWith('Object contains forbidden');
      const reason = poisoned
        ? 'The request body has a forbidden __proto__ or constructor property.'
        : 'The request body is not valid JSON.';
      done(new BadRequestError(reason), undefined);
    }
  });
}

/**
 * What every instance of the API gets, whoever built its module: the filter, the pipe, the docs.
 */
export function configureApp(app: NestFastifyApplication, env: Environment): void {
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
    // Nest would add form-urlencoded parsing; the API takes JSON only (see acceptJsonOnly).
    bodyParser: false,
  });
  configureApp(app, env);
  await app.init();
  return app;
}
