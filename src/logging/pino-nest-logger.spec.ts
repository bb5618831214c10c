import { describe, expect, it } from '@jest/globals';
import type { FastifyBaseLogger } from 'fastify';
import { PinoNestLogger } from './pino-nest-logger.js';

type Method = 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal';
const METHODS: Method[] = ['info', 'error', 'warn', 'debug', 'trace', 'fatal'];

/** A pino stand-in that records each line as pino would write it: its bindings, then the call's fields and msg. */
function createSut() {
  const lines: Array<Record<string, unknown> & { level: Method }> = [];
  const children: Array<Record<string, unknown>> = [];
  const make = (bindings: Record<string, unknown>): FastifyBaseLogger => {
    const logger: Record<string, unknown> = {
      child: (more: Record<string, unknown>) => {
        children.push(more);
        return make({ ...bindings, ...more });
      },
    };
    for (const level of METHODS) {
      logger[level] = (first: unknown, msg?: string) => {
        const fields = typeof first === 'object' && first !== null ? (first as Record<string, unknown>) : {};
        const text = typeof first === 'string' ? first : msg;
        lines.push({ level, ...bindings, ...fields, ...(text === undefined ? {} : { msg: text }) });
      };
    }
    return logger as unknown as FastifyBaseLogger;
  };
  return { logger: new PinoNestLogger(make({})), lines, children };
}

describe('PinoNestLogger', () => {
  it("maps Nest's levels to pino's and its context to a field", () => {
    const { logger, lines } = createSut();
    logger.log('started', 'NestApplication');
    logger.verbose('detail', 'X');
    logger.warn('careful');
    expect(lines).toEqual([
      { level: 'info', context: 'NestApplication', msg: 'started' },
      { level: 'trace', context: 'X', msg: 'detail' },
      { level: 'warn', msg: 'careful' },
    ]);
  });

  it('keeps a stack as its own field and logs Error objects as err', () => {
    const { logger, lines } = createSut();
    logger.error('failed', 'Error: x\n    at f (a.js:1:1)', 'Ctx');
    const error = new Error('boom');
    logger.error(error, 'Ctx');
    expect(lines).toEqual([
      { level: 'error', context: 'Ctx', stack: 'Error: x\n    at f (a.js:1:1)', msg: 'failed' },
      { level: 'error', context: 'Ctx', err: error, msg: 'boom' },
    ]);
  });

  it('writes a structured message as its fields, and makes one child per context', () => {
    const { logger, lines, children } = createSut();
    for (let i = 0; i < 3; i++)
      logger.warn({ event: 'authorization_denied', trace_id: `req_${i}`, msg: 'permission denied' }, 'Guard');
    logger.warn({ event: 'x' }, 'Other');
    expect(lines[2]).toEqual({
      level: 'warn',
      context: 'Guard',
      event: 'authorization_denied',
      trace_id: 'req_2',
      msg: 'permission denied',
    });
    expect(lines[3]).toEqual({ level: 'warn', context: 'Other', event: 'x' });
    expect(children).toEqual([{ context: 'Guard' }, { context: 'Other' }]);
  });
});
