import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthenticationRequiredError, InvalidApiKeyError } from '@app/common';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { ApiKeyGuard } from './api-key.guard.js';
import type { RequestWithCaller } from './request-with-caller.js';

function createSut({ isPublic = false } = {}) {
  const apiKeys = { authenticate: vi.fn<ApiKeysService['authenticate']>() };
  const reflector = { getAllAndOverride: vi.fn().mockReturnValue(isPublic) };
  const sut = new ApiKeyGuard(reflector as unknown as Reflector, apiKeys as unknown as ApiKeysService);
  const request = (headers: Record<string, string | string[]>): RequestWithCaller =>
    ({ id: 'req_1', ip: '10.0.0.1', headers, log: { warn: vi.fn() } }) as unknown as RequestWithCaller;
  const context = (req: RequestWithCaller): ExecutionContext =>
    ({
      getHandler: () => undefined,
      getClass: () => undefined,
      switchToHttp: () => ({ getRequest: () => req }),
    }) as unknown as ExecutionContext;
  return { sut, apiKeys, request, context };
}

describe('ApiKeyGuard', () => {
  it('lets public routes through without looking at keys', async () => {
    const { sut, apiKeys, request, context } = createSut({ isPublic: true });
    await expect(sut.canActivate(context(request({})))).resolves.toBe(true);
    expect(apiKeys.authenticate).not.toHaveBeenCalled();
  });

  it('throws AuthenticationRequiredError without a key, or with an empty one', async () => {
    const { sut, request, context } = createSut();
    await expect(sut.canActivate(context(request({})))).rejects.toBeInstanceOf(AuthenticationRequiredError);
    await expect(sut.canActivate(context(request({ 'x-api-key': '' })))).rejects.toBeInstanceOf(
      AuthenticationRequiredError,
    );
  });

  it('throws InvalidApiKeyError for a repeated header without a lookup, and for a key that does not authenticate', async () => {
    const { sut, apiKeys, request, context } = createSut();
    await expect(sut.canActivate(context(request({ 'x-api-key': ['a', 'b'] })))).rejects.toBeInstanceOf(
      InvalidApiKeyError,
    );
    expect(apiKeys.authenticate).not.toHaveBeenCalled();
    apiKeys.authenticate.mockResolvedValue(null);
    const req = request({ 'x-api-key': 'ak_whatever' });
    await expect(sut.canActivate(context(req))).rejects.toBeInstanceOf(InvalidApiKeyError);
    expect(JSON.stringify((req.log.warn as ReturnType<typeof vi.fn>).mock.calls)).not.toContain('ak_whatever');
  });

  it('puts the caller, with trace id, ip and user agent, on the request', async () => {
    const { sut, apiKeys, request, context } = createSut();
    apiKeys.authenticate.mockResolvedValue({
      apiKeyId: 'key_1',
      userId: 'usr_1',
      role: 'role_admin',
      lastUsedAt: null,
    });
    const req = request({ 'x-api-key': 'ak_valid', 'user-agent': 'curl/8' });
    await expect(sut.canActivate(context(req))).resolves.toBe(true);
    expect(req.caller).toEqual({
      userId: 'usr_1',
      role: 'role_admin',
      apiKeyId: 'key_1',
      traceId: 'req_1',
      ip: '10.0.0.1',
      userAgent: 'curl/8',
    });
  });
});
