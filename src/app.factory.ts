import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { Logger } from '@nestjs/common';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type FastifyInstance, type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import secureJson from 'secure-json-parse';
import {
  AllExceptionsFilter,
  BadRequestError,
  createValidationPipe,
  InvalidJsonError,
  newTraceId,
  type AppError,
  RequestTimeoutError,
  resolveTraceId,
  toErrorEnvelope,
  TRACE_ID_HEADER,
} from '@users-service/common';
import { AppModule } from './app.module.js';
import { configurationWarnings, type Environment, trustProxySetting } from './config/environment.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth.js';
import { PinoNestLogger } from './logging/pino-nest-logger.js';
import { prettyLogStream } from './logging/pretty-log-stream.js';
import { SECURITY_HEADERS } from './security-headers.js';
import { setupSwagger } from './swagger.js';

/** Anything shaped like an API key (`ak_` + letters and digits), wherever a client put it. */
const KEY_LIKE = /ak_[A-Za-z0-9]{8,}/g;

/**
 * The path with every key cut out, percent-encoded or not (`%61k_…`, `ak%5F…`, or encoded twice):
 * when a decoding of the path holds a key, the redacted decoding is logged instead of the raw path.
 */
export function redactKeysInPath(path: string): string {
  let decoded = path;
  for (let round = 0; round < 3; round++) {
    if (decoded.search(KEY_LIKE) !== -1) return decoded.replace(KEY_LIKE, 'ak_[redacted]');
    let next: string;
    try {
      next = decodeURIComponent(decoded);
    } catch {
      // Not decodable as a whole (a stray `%`): decode what can be, sequence by sequence.
      next = decoded.replace(/(%[0-9A-Fa-f]{2})+/g, (run) => {
        try {
          return decodeURIComponent(run);
        } catch {
          return run;
        }
      });
    }
    if (next === decoded) break;
    decoded = next;
  }
  return decoded.search(KEY_LIKE) !== -1 ? decoded.replace(KEY_LIKE, 'ak_[redacted]') : path;
}

/**
 * Request logs carry the path only: a query string may hold anything, a key included. A key a
 * client put in the path itself is cut out too.
 */
function serializeRequest(request: FastifyRequest): Record<string, unknown> {
  const path = request.url.split('?', 1)[0] ?? '';
  return { method: request.method, path: redactKeysInPath(path), remote_address: request.ip };
}

/**
 * What Node's HTTP parser refuses before Fastify has a request: a head (request line and headers)
 * over `maxHeaderSize` (16 KiB unless Node is told otherwise), bytes that are not HTTP, a client too
 * slow to send its request. Fastify's own answer is a bare body (`{"statusCode":431,...}`); this one
 * is the envelope, with the headers every answer has. Nothing of the request could be read, so its
 * trace id is a new one, logged with the parser's reason.
 */
function answerClientError(this: FastifyInstance, error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const answer: AppError =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? new RequestTimeoutError()
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? new BadRequestError(
            `The request line and headers are larger than the service accepts (${maxHeaderSize / 1024} KiB in all).`,
          )
        : new BadRequestError('The request is not valid HTTP.');
  const traceId = newTraceId();
  this.log.info({ trace_id: traceId, code: error.code, status: answer.getStatus() }, 'request refused before routing');
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(toErrorEnvelope(answer, traceId));
  const headers = {
    ...SECURITY_HEADERS,
    [TRACE_ID_HEADER]: traceId,
    'cache-control': 'no-store',
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
  };
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  const status = answer.getStatus();
  // end(), not write() and destroy(): the answer is flushed before the connection closes.
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${head.join('')}\r\n${body}`, () => socket.destroy());
}

/** Whether logs go to standard output as lines a person reads (see LOG_FORMAT). */
function prettyLogs(env: Environment): boolean {
  return env.LOG_FORMAT === 'pretty' || (env.LOG_FORMAT === 'auto' && !env.LOG_FILE && process.stdout.isTTY === true);
}

/**
 * The Fastify adapter: trace ids, body limit, JSON only (415 otherwise), poisoning checks, time
 * limits, trusted proxies, `Cache-Control: no-store`, and JSON logs with secrets redacted.
 */
export function createFastifyAdapter(env: Environment): FastifyAdapter {
  const adapter = new FastifyAdapter({
    logger: {
      level: env.LOG_LEVEL,
      ...(env.LOG_FILE ? { file: env.LOG_FILE } : prettyLogs(env) ? { stream: prettyLogStream } : {}),
      redact: {
        // A failed query's parameters are data (key hashes, e-mails, addresses); its SQL text stays.
        paths: ['req.headers["x-api-key"]', 'req.headers.authorization', 'api_key', '*.api_key', 'err.parameters'],
        censor: '[redacted]',
      },
      serializers: { req: serializeRequest },
    },
    genReqId: (request: { headers: Record<string, string | string[] | undefined> }) =>
      resolveTraceId(request.headers[TRACE_ID_HEADER]),
    logController: new LogController({ requestIdLogLabel: 'trace_id' }),
    bodyLimit: env.BODY_LIMIT_BYTES,
    // Fastify's default (100) turns a longer path parameter into a 400 no route documents. An id of
    // any length a request line can carry (Node caps the header block at 16 KiB) must reach the
    // route, which answers it like any other id that is not the caller's (403) or names nothing (404).
    routerOptions: { maxParamLength: 16 * 1024 },
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    // Without TRUST_PROXY, X-Forwarded-For is ignored: the client is the TCP peer, so a client
    // cannot choose the IP its failed authentications are counted against.
    // (Fastify takes a hop count too; the adapter's option type omits it.)
    trustProxy: trustProxySetting(env.TRUST_PROXY) as boolean | string[],
    // A client gets REQUEST_TIMEOUT_MS to send its request, and the service as long to answer it (503).
    requestTimeout: env.REQUEST_TIMEOUT_MS,
    handlerTimeout: env.REQUEST_TIMEOUT_MS,
    // Node checks requestTimeout every 30 s by default; check every second so the bound holds.
    http: { connectionsCheckingInterval: 1000 },
    clientErrorHandler: answerClientError,
    // A URL Fastify cannot even decode (`/%`) fails before any hook or filter: answer it here, in
    // the envelope, with the trace id.
    frameworkErrors: (_error: Error, request: FastifyRequest, reply: FastifyReply) => {
      void reply
        .code(400)
        .header(TRACE_ID_HEADER, request.id)
        .header('cache-control', 'no-store')
        .send(toErrorEnvelope(new BadRequestError('The request URL is not valid.'), request.id));
    },
  });
  const fastify = adapter.getInstance();
  // On close, Fastify closes the idle keep-alive connections once; the connections busy at that
  // moment would then idle for keepAliveTimeout (72 s) after their last answer and hold the exit.
  // Node reads keepAliveTimeout as each answer finishes, so from now on a connection closes as
  // soon as its request in flight is answered.
  fastify.addHook('preClose', (done) => {
    fastify.server.keepAliveTimeout = 1;
    done();
  });
  // The trace id goes out on every answer, including those Fastify gives before Nest sees the request.
  // Security headers too (computed once, see security-headers.ts), errors and unknown routes included.
  // API answers are per caller and may carry secrets (a new key): no cache may keep them.
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header(TRACE_ID_HEADER, request.id).headers(SECURITY_HEADERS);
    if (!request.url.startsWith('/docs')) reply.header('cache-control', 'no-store');
    done();
  });
  acceptJsonOnly(fastify);
  return adapter;
}

/**
 * JSON is the only body the API accepts: any other content type is 415. A body nested deeper than
 * MAX_JSON_DEPTH is refused before it is parsed, and before authentication: the guards run after
 * the body is read, and a scan costs less than the key lookup would. Parse failures become
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
    if (nestsDeeperThan(String(body), MAX_JSON_DEPTH)) {
      done(
        new InvalidJsonError(`The request body nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels.`),
        undefined,
      );
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

/** What every instance of the API gets, whoever built its module: the filter, the pipe, the docs. */
export function configureApp(app: NestFastifyApplication, env: Environment): void {
  app.useGlobalFilters(new AllExceptionsFilter(app.get(HttpAdapterHost)));
  app.useGlobalPipes(createValidationPipe());
  if (env.DOCS_ENABLED) setupSwagger(app);
}

/**
 * Builds the API application, fully configured but not listening. `main.ts` and the end-to-end
 * tests both use it, so tests run the real wiring.
 */
export async function createApp(env: Environment): Promise<NestFastifyApplication> {
  const adapter = createFastifyAdapter(env);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(env), adapter, {
    logger: new PinoNestLogger(adapter.getInstance().log),
    bodyParser: false,
    // A failure while building or using the app throws to the caller (main.ts says why and exits;
    // a test sees the error) instead of Nest calling process.exit(1) itself.
    abortOnError: false,
  });
  for (const warning of configurationWarnings(env)) new Logger('Configuration').warn(warning);
  configureApp(app, env);
  await app.init();
  return app;
}
