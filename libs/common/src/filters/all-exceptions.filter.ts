import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AppError } from '../errors/app-error.js';
import { toErrorEnvelope } from '../errors/error-envelope.js';
import { toAppError } from '../errors/to-app-error.js';
import { newTraceId } from '../trace/trace-id.js';

/** What the filter reads of a request, on Fastify and Express alike. */
interface RequestLike {
  method: string;
  url: string;
  /** The trace id, where the platform assigns one (Fastify's `genReqId`). */
  id?: unknown;
}

/**
 * The one place where errors become HTTP answers: every non-2xx response leaves through here in
 * the seed's envelope. Unknown errors are logged with the trace id and answered with a generic 500;
 * their text never reaches the client. Platform-neutral: it answers through the HttpAdapterHost and
 * logs through Nest's Logger.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger(AllExceptionsFilter.name);

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<RequestLike>();
    const reply: unknown = http.getResponse();
    const traceId = typeof request.id === 'string' ? request.id : newTraceId();
    const error = toAppError(exception, request);

    if (error.getStatus() === 503 && !(exception instanceof AppError)) {
      // An outage fails every request for a while: one warning each, not an error with alarms.
      this.logger.warn({ trace_id: traceId, err: exception, code: error.code, msg: 'database unavailable' });
    } else if (error.getStatus() >= 500 && !(exception instanceof AppError && exception === error)) {
      this.logger.error({ trace_id: traceId, err: exception, code: error.code, msg: 'request failed' });
    } else if (error.getStatus() >= 500) {
      this.logger.warn({ trace_id: traceId, code: error.code, msg: error.systemMessage });
    }
    const adapter = this.adapterHost.httpAdapter;
    for (const [name, value] of Object.entries(error.headers)) adapter.setHeader(reply, name, value);
    adapter.reply(reply, toErrorEnvelope(error, traceId), error.getStatus());
  }
}
