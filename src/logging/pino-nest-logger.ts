import type { LoggerService } from '@nestjs/common';
import type { FastifyBaseLogger } from 'fastify';

type PinoLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * Nest's `Logger` written through Fastify's pino instance, so that the whole process logs one JSON
 * format at one LOG_LEVEL. Nest passes the logger's context as the last extra argument (and, for
 * `error`, a stack before it); they become the `context` and `stack` fields.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly pino: FastifyBaseLogger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: PinoLevel, message: unknown, rest: unknown[]): void {
    const fields: Record<string, unknown> = {};
    const extra = [...rest];
    if (extra.length > 0 && typeof extra[extra.length - 1] === 'string') fields.context = extra.pop();
    if (level === 'error' && typeof extra[0] === 'string' && extra[0].includes('\n    at '))
      fields.stack = extra.shift();
    if (message instanceof Error) {
      this.pino[level]({ ...fields, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.pino[level]({ ...fields, ...(message as Record<string, unknown>) });
    } else {
      this.pino[level](fields, String(message));
    }
  }
}
