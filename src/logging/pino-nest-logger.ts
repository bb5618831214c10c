import type { LoggerService } from '@nestjs/common';
import type { FastifyBaseLogger } from 'fastify';

type PinoLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * Nest's `Logger` written through Fastify's pino instance, so that the whole process logs one JSON
 * format at one LOG_LEVEL. Nest passes the logger's context as the last extra argument (and, for
 * `error`, a stack before it); they become the `context` and `stack` fields.
 */
export class PinoNestLogger implements LoggerService {
  /**
   * One pino child per Nest context (a class name: a handful per process), made on first use. pino
   * serialises a child's bindings once, so the `context` field costs nothing per line, and a
   * structured message goes to pino as it is, without being copied into a new object first: the
   * guards log one such line per denied or failed request (docs/benchmark.md).
   */
  private readonly children = new Map<string, FastifyBaseLogger>();

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

  private loggerFor(context: string | undefined): FastifyBaseLogger {
    if (context === undefined) return this.pino;
    let child = this.children.get(context);
    if (!child) {
      child = this.pino.child({ context });
      this.children.set(context, child);
    }
    return child;
  }

  private write(level: PinoLevel, message: unknown, rest: unknown[]): void {
    let end = rest.length;
    const context = end > 0 && typeof rest[end - 1] === 'string' ? (rest[--end] as string) : undefined;
    const logger = this.loggerFor(context);
    if (level === 'error' && end > 0 && typeof rest[0] === 'string' && rest[0].includes('\n    at ')) {
      const stack = rest[0];
      if (message instanceof Error) logger.error({ stack, err: message }, message.message);
      else if (typeof message === 'object' && message !== null) logger.error({ stack, ...message });
      else logger.error({ stack }, String(message));
    } else if (message instanceof Error) {
      logger[level]({ err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      logger[level](message);
    } else {
      logger[level](String(message));
    }
  }
}
