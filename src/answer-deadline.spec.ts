import { afterEach, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError, ServiceUnavailableError } from '@users-service/common';
import Fastify, { type FastifyInstance } from 'fastify';
import { AnswerDeadline } from './answer-deadline.js';

const TIMEOUT_MS = 300;

/** A bare Fastify with the deadline, answering errors as the service's filter would (status and code). */
async function serverWithDeadline(): Promise<{ app: FastifyInstance; url: string; late: string[] }> {
  const app = Fastify();
  const deadline = new AnswerDeadline(app, TIMEOUT_MS);
  const late: string[] = [];
  app.addHook('onRequest', (_request, reply, done) => {
    deadline.track(reply);
    done();
  });
  app.setErrorHandler((error, _request, reply) => {
    if (!(error instanceof AppError)) throw error;
    void reply.code(error.getStatus()).send({ code: error.code, message: error.message });
  });
  app.get('/quick', () => Promise.resolve({ ok: true }));
  app.get('/medium', async () => {
    await sleep(TIMEOUT_MS / 2);
    return { ok: 'medium' };
  });
  app.get('/slow', async (_request, reply) => {
    await sleep(TIMEOUT_MS * 2);
    // The late work finishes after the 503 went out: its answer is dropped, nothing breaks.
    late.push(reply.sent ? 'already answered' : 'answering');
    return { ok: 'late' };
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url, late };
}

describe('AnswerDeadline', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
  });

  it('answers a request still unanswered after the timeout with 503, and leaves the others alone', async () => {
    const server = await serverWithDeadline();
    app = server.app;
    const started = Date.now();
    const [slow, quick] = await Promise.all([fetch(`${server.url}/slow`), fetch(`${server.url}/quick`)]);
    const ms = Date.now() - started;

    expect(quick.status).toBe(200);
    expect(await quick.json()).toEqual({ ok: true });
    expect(slow.status).toBe(503);
    expect(await slow.json()).toEqual({
      code: new ServiceUnavailableError().code,
      message: new ServiceUnavailableError('The request took too long to answer.').message,
    });
    // Within one sweep (100 ms) of the deadline, with room for a loaded machine.
    expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
    expect(ms).toBeLessThan(TIMEOUT_MS + 100 + 400);

    await sleep(TIMEOUT_MS * 2);
    expect(server.late).toEqual(['already answered']);
    // The server keeps serving.
    expect((await fetch(`${server.url}/quick`)).status).toBe(200);
  });

  it('lets a request that takes less than the timeout finish, even across several sweeps', async () => {
    const server = await serverWithDeadline();
    app = server.app;
    const responses = await Promise.all(Array.from({ length: 20 }, () => fetch(`${server.url}/medium`)));
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
  });

  it('forgets a request whose client went away, without answering into the closed connection', async () => {
    const server = await serverWithDeadline();
    app = server.app;
    const aborted = new AbortController();
    const gone = fetch(`${server.url}/slow`, { signal: aborted.signal }).catch((error: unknown) => error);
    await sleep(50);
    aborted.abort();
    expect(await gone).toMatchObject({ name: 'AbortError' });
    await sleep(TIMEOUT_MS * 2 + 200);
    expect((await fetch(`${server.url}/quick`)).status).toBe(200);
  });
});
