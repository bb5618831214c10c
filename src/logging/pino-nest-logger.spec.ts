import { describe, expect, it, jest } from '@jest/globals';
import type { FastifyBaseLogger } from 'fastify';
import { PinoNestLogger } from './pino-nest-logger.js';

function createSut() {
  const pino = {
    info: jest.fn(),
    error: jest.fn(),
    warn: jest.fn(),
    debug: jest.fn(),
    trace: jest.fn(),
    fatal: jest.fn(),
  };
  return { logger: new PinoNestLogger(pino as unknown as FastifyBaseLogger), pino };
}

describe('PinoNestLogger', () => {
  it("maps Nest's levels to pino's and its context to a field", () => {
    const { logger, pino } = createSut();
    logger.log('started', 'NestApplication');
    logger.verbose('detail', 'X');
    logger.warn('careful');
    expect(pino.info).toHaveBeenCalledWith({ context: 'NestApplication' }, 'started');
    expect(pino.trace).toHaveBeenCalledWith({ context: 'X' }, 'detail');
    expect(pino.warn).toHaveBeenCalledWith({}, 'careful');
  });

  it('keeps a stack as its own field and logs Error objects as err', () => {
    const { logger, pino } = createSut();
    logger.error('failed', 'Error: x\n    at f (a.js:1:1)', 'Ctx');
    expect(pino.error).toHaveBeenCalledWith({ context: 'Ctx', stack: 'Error: x\n    at f (a.js:1:1)' }, 'failed');
    const error = new Error('boom');
    logger.error(error, 'Ctx');
    expect(pino.error).toHaveBeenLastCalledWith({ context: 'Ctx', err: error }, 'boom');
  });
});
