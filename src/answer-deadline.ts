import { ServiceUnavailableError } from '@users-service/common';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** How often the requests in flight are looked at: the deadline holds to within this. */
const SWEEP_MS = 100;

/**
 * REQUEST_TIMEOUT_MS for the service's side of a request: one still unanswered after it gets 503
 * "The request took too long to answer." (the work itself is left to end on its own timeouts).
 *
 * Fastify's `handlerTimeout` does the same with a timer, an AbortController and two listeners per
 * request, about 4 µs of every request's CPU (docs/benchmark.md). Here each request costs one array
 * push, and one sweep every SWEEP_MS looks at the requests still in flight.
 *
 * Call `track` from an `onRequest` hook (app.factory.ts has one already).
 */
export class AnswerDeadline {
  private inFlight: { reply: FastifyReply; startedAt: number }[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(
    fastify: FastifyInstance,
    private readonly timeoutMs: number,
  ) {
    this.timer = setInterval(() => this.sweep(), Math.min(SWEEP_MS, timeoutMs)).unref();
    fastify.addHook('onClose', (_instance, done) => {
      clearInterval(this.timer);
      done();
    });
  }

  track(reply: FastifyReply): void {
    this.inFlight.push({ reply, startedAt: Date.now() });
  }

  /** Drops the answered and abandoned requests, and answers those past the deadline. */
  private sweep(): void {
    const now = Date.now();
    const waiting: typeof this.inFlight = [];
    for (const request of this.inFlight) {
      const { reply } = request;
      if (reply.sent || reply.raw.destroyed) continue;
      if (now - request.startedAt < this.timeoutMs) {
        waiting.push(request);
      } else if (reply.raw.headersSent) {
        // An answer already on its way (a stream) cannot become a 503 any more: cut it, as Fastify does.
        reply.raw.destroy();
      } else {
        // Through Fastify's error handler, so Nest's exception filter answers it in the envelope.
        reply.send(new ServiceUnavailableError('The request took too long to answer.'));
      }
    }
    this.inFlight = waiting;
  }
}
