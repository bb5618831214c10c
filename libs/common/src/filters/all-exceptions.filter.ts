import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.js';
import { toErrorEnvelope } from '../errors/error-envelope.js';
import { toAppError } from '../errors/to-app-error.js';

/**
 * The one place where errors become HTTP answers: every non-2xx response leaves through here in
 * the seed's envelope. Unknown errors are logged with the trace id and answered with a generic 500;
 * their text never reaches the client.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const error = toAppError(exception, request);

    if (error.status === 503 && !(exception instanceof AppError)) {
      // An outage fails every request for a while: one warning each, not an error with alarms.
      request.log.warn({ err: exception, code: error.code }, 'database unavailable');
    } else if (error.status >= 500 && !(exception instanceof AppError && exception === error)) {
      request.log.error({ err: exception, code: error.code }, 'request failed');
    } else if (error.status >= 500) {
      request.log.warn({ code: error.code }, error.systemMessage);
    }
    for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
    this.adapterHost.httpAdapter.reply(reply, toErrorEnvelope(error, request.id), error.status);
  }
}
