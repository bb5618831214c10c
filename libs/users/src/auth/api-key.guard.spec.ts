import { describe, expect, it, jest } from '@jest/globals';
import { type ExecutionContext, Logger } from '@nestjs/common';
import type { HttpAdapterHost, Reflector } from '@nestjs/core';
import {
  AuthenticationRequiredError,
  InvalidApiKeyError,
  RateLimiter,
  RateLimitExceededError,
  type RateLimitState,
} from '@users-service/common';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import type { LiveKey } from '../api-keys/api-keys.repository.js';
import { ApiKeyGuard } from './api-key.guard.js';
import type { RequestWithCaller } from './request-with-caller.js';

const KEY = `ak_${'k'.repeat(40)}`;
const STATE: RateLimitState = { limit: 3, remaining: 0, resetSeconds: 20 };
const LIVE_KEY = {
  userId: 'usr_1',
  role: 'role_member',
  apiKeyId: 'key_1',
  lastUsedAt: null,
} as unknown as LiveKey;

function createSut(options: { isPublic?: boolean; withLimiter?: boolean } = {}) {
  const reflector = { getAllAndOverride: jest.fn().mockReturnValue(options.isPublic ?? false) } as unknown as Reflector;
  const authenticate = jest.fn<ApiKeysService['authenticate']>().mockResolvedValue(LIVE_KEY);
  const apiKeys = { authenticate } as unknown as ApiKeysService;
  const limiter = {
    failedAuthBlocked: jest.fn<RateLimiter['failedAuthBlocked']>().mockReturnValue(null),
    recordFailedAuth: jest.fn<RateLimiter['recordFailedAuth']>().mockResolvedValue({
      exceeded: false,
      state: { limit: 3, remaining: 2, resetSeconds: 60 },
    }),
    consumeUser: jest.fn<RateLimiter['consumeUser']>().mockResolvedValue({
      exceeded: false,
      state: { limit: 600, remaining: 599, resetSeconds: 60 },
    }),
  };
  const setHeader = jest.fn();
  const adapterHost = { httpAdapter: { setHeader } } as unknown as HttpAdapterHost;
  const guard = new ApiKeyGuard(reflector, apiKeys, adapterHost, {
    rateLimiter: options.withLimiter === false ? null : (limiter as unknown as RateLimiter),
  });
  const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  warn.mockClear();
  const reply = {};
  const request = {
    headers: {} as Record<string, string>,
    ip: '203.0.113.5',
    id: 'req_1',
  } as unknown as RequestWithCaller & { headers: Record<string, string> };
  const handler = (): void => undefined;
  class Controller {}
  const context = {
    getHandler: () => handler,
    getClass: () => Controller,
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }),
  } as unknown as ExecutionContext;
  return { guard, authenticate, limiter, request, reply, setHeader, warn, context };
}

describe('ApiKeyGuard', () => {
  it('lets a public route through without looking anything up', async () => {
    const { guard, context, authenticate, limiter } = createSut({ isPublic: true });
    await expect(guard.canActivate(context)).resolves.toBe(true);
    expect(authenticate).not.toHaveBeenCalled();
    expect(limiter.failedAuthBlocked).not.toHaveBeenCalled();
  });

  it('reads whether a route is public once per controller and handler', async () => {
    const { guard, context } = createSut({ isPublic: true });
    const reflector = (guard as unknown as { reflector: { getAllAndOverride: jest.Mock } }).reflector;
    await guard.canActivate(context);
    await guard.canActivate(context);
    expect(reflector.getAllAndOverride).toHaveBeenCalledTimes(1);
  });

  it('answers 401 AUTHENTICATION_REQUIRED without a key', async () => {
    const { guard, context } = createSut();
    await expect(guard.canActivate(context)).rejects.toBeInstanceOf(AuthenticationRequiredError);
  });

  it('refuses an IP over the failed-authentication limit before the key lookup', async () => {
    const { guard, context, request, limiter, authenticate } = createSut();
    request.headers['x-api-key'] = KEY;
    limiter.failedAuthBlocked.mockReturnValue(STATE);
    await expect(guard.canActivate(context)).rejects.toEqual(
      new RateLimitExceededError(STATE, 'Too many failed authentications from this address.'),
    );
    expect(limiter.failedAuthBlocked).toHaveBeenCalledWith('203.0.113.5');
    expect(authenticate).not.toHaveBeenCalled();
  });

  it('counts a failed authentication against the IP and logs a hash prefix, never the key', async () => {
    const { guard, context, request, limiter, authenticate, warn } = createSut();
    request.headers['x-api-key'] = KEY;
    authenticate.mockResolvedValue(null);
    await expect(guard.canActivate(context)).rejects.toBeInstanceOf(InvalidApiKeyError);
    expect(limiter.recordFailedAuth).toHaveBeenCalledWith('203.0.113.5');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith({
      event: 'authentication_failed',
      trace_id: 'req_1',
      key_hash_prefix: expect.stringMatching(/^[0-9a-f]{12}$/),
      ip: '203.0.113.5',
      msg: 'invalid API key',
    });
    expect(JSON.stringify(warn.mock.calls)).not.toContain(KEY);
  });

  it('answers 429 instead of 401 when that failure is over the limit', async () => {
    const { guard, context, request, limiter, authenticate } = createSut();
    request.headers['x-api-key'] = KEY;
    authenticate.mockResolvedValue(null);
    limiter.recordFailedAuth.mockResolvedValue({ exceeded: true, state: STATE });
    await expect(guard.canActivate(context)).rejects.toBeInstanceOf(RateLimitExceededError);
  });

  it('counts a valid key against its user, sets the X-RateLimit headers and the caller', async () => {
    const { guard, context, request, limiter, reply, setHeader } = createSut();
    request.headers['x-api-key'] = KEY;
    await expect(guard.canActivate(context)).resolves.toBe(true);
    expect(limiter.consumeUser).toHaveBeenCalledWith('usr_1');
    expect(setHeader.mock.calls).toEqual([
      [reply, 'x-ratelimit-limit', '600'],
      [reply, 'x-ratelimit-remaining', '599'],
      [reply, 'x-ratelimit-reset', '60'],
    ]);
    expect(request.caller).toMatchObject({ userId: 'usr_1', apiKeyId: 'key_1', traceId: 'req_1', ip: '203.0.113.5' });
  });

  it("answers 429 when the key's user is over the limit, and sets no caller", async () => {
    const { guard, context, request, limiter } = createSut();
    request.headers['x-api-key'] = KEY;
    limiter.consumeUser.mockResolvedValue({ exceeded: true, state: STATE });
    // toEqual compares an Error by its message only: the system message is checked on its own.
    await expect(guard.canActivate(context)).rejects.toMatchObject({
      code: 'RATE_LIMIT_EXCEEDED',
      systemMessage: "Too many requests for this user (all of the user's API keys share one budget).",
      details: new RateLimitExceededError(STATE).details,
    });
    expect(request.caller).toBeUndefined();
  });

  it('works without a rate limiter (an app that provides none)', async () => {
    const { guard, context, request } = createSut({ withLimiter: false });
    request.headers['x-api-key'] = KEY;
    await expect(guard.canActivate(context)).resolves.toBe(true);
  });
});
