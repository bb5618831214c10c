// The framework floor for `npm run bench -- --scenario floor`: the smallest Nest app on Fastify that
// has the service's shape on its short paths (a controller, a class guard that sets the caller, a
// route guard that throws, one global filter that writes the error body), against the same two
// routes written on bare Fastify. No database, no logging, no headers: the two answer the same
// bytes, so the difference is what Nest's request pipeline costs, which no service built on it can
// go below. Not part of the service; see docs/benchmark.md.
//
//   node bench/framework-floor.mjs nest|fastify PORT
import 'reflect-metadata';
import { Catch, Controller, Delete, Get, HttpException, Injectable, Module, UseGuards } from '@nestjs/common';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import Fastify from 'fastify';

const [mode, port] = process.argv.slice(2);
const CALLER_ID = 'usr_00000000000000000000000000000002';
const USER = {
  id: CALLER_ID,
  email: 'bench2@example.com',
  username: null,
  full_name: null,
  first_name: null,
  last_name: null,
  birthday: null,
  profile_image: null,
  timezone: null,
  country_id: null,
  post_code: null,
  gender: null,
  global_role_id: 'role_user',
  is_active: true,
  last_verified: null,
  last_login: null,
  created_at: '2026-11-30T04:00:00Z',
  updated_at: '2026-11-30T04:00:00Z',
};
const forbidden = (traceId) => ({
  success: false,
  error: {
    code: 'INSUFFICIENT_PERMISSIONS',
    message: 'You can only delete your own account.',
    system_message: 'You can only delete your own account.',
    type: 'authorization_error',
    status: 403,
    details: {},
    trace_id: traceId,
    timestamp: '2026-11-30T04:00:00Z',
  },
});

/** The same two routes on bare Fastify. */
async function startFastify() {
  const app = Fastify();
  app.get('/v1/user/me', async () => USER);
  app.delete('/v1/user/:user_id', async (request, reply) => {
    if (request.params.user_id !== CALLER_ID) return reply.code(403).send(forbidden(request.id));
    return { success: true };
  });
  await app.listen({ port: Number(port), host: '127.0.0.1' });
}

/** Nest's shape, with decorators applied by hand (this file is plain JavaScript). */
async function startNest() {
  const decorate = (target, decorators) => Reflect.decorate(decorators, target);
  const decorateMethod = (target, name, decorators) =>
    Reflect.decorate(decorators, target.prototype, name, Object.getOwnPropertyDescriptor(target.prototype, name));

  class Refusal extends HttpException {
    constructor() {
      super('Forbidden', 403);
    }
  }
  const REFUSAL = new Refusal();

  class CallerGuard {
    canActivate(context) {
      context.switchToHttp().getRequest().caller = { userId: CALLER_ID };
      return true;
    }
  }
  class OwnerGuard {
    canActivate(context) {
      const request = context.switchToHttp().getRequest();
      if (request.params.user_id === request.caller.userId) return true;
      throw REFUSAL;
    }
  }
  class ErrorFilter {
    constructor(adapterHost) {
      this.adapterHost = adapterHost;
    }
    catch(_exception, host) {
      const http = host.switchToHttp();
      this.adapterHost.httpAdapter.reply(http.getResponse(), forbidden(http.getRequest().id), 403);
    }
  }
  class UsersController {
    me() {
      return USER;
    }
    remove() {
      return { success: true };
    }
  }
  class FloorModule {}

  decorate(CallerGuard, [Injectable()]);
  decorate(OwnerGuard, [Injectable()]);
  decorate(ErrorFilter, [Catch()]);
  decorateMethod(UsersController, 'me', [Get('me')]);
  decorateMethod(UsersController, 'remove', [Delete(':user_id'), UseGuards(OwnerGuard)]);
  decorate(UsersController, [Controller('v1/user'), UseGuards(CallerGuard)]);
  decorate(FloorModule, [Module({ controllers: [UsersController], providers: [CallerGuard, OwnerGuard] })]);

  const app = await NestFactory.create(FloorModule, new FastifyAdapter(), { logger: false });
  app.useGlobalFilters(new ErrorFilter(app.get(HttpAdapterHost)));
  await app.listen(Number(port), '127.0.0.1');
}

await (mode === 'nest' ? startNest() : startFastify());
process.on('SIGTERM', () => process.exit(0));
