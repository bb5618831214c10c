import type { FastifyRequest } from 'fastify';
import type { Caller } from '../caller.js';

/** A request after ApiKeyGuard: `caller` is set on every route that is not public. */
export type RequestWithCaller = FastifyRequest & { caller?: Caller };
