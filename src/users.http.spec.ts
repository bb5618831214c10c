import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Test } from '@nestjs/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  AdminBootstrapService,
  ApiKeysRepository,
  ApiKeysService,
  generateApiKeySecret,
  type LiveKey,
  type UserEntity,
  USERS_DATA_SOURCE,
  UsersModule,
  UsersRepository,
} from '@users-service/users';
import { createFastifyAdapter, configureApp } from './app.factory.js';
import { validateEnvironment } from './config/environment.js';

/**
 * HTTP slice: the real UsersModule, guards, pipe, filter and Fastify adapter, with the database
 * replaced by fakes. It proves what only timing can produce end to end (the 404 of a delete that
 * lost a race) and the order of the checks, without a database.
 */
async function createSut() {
  const member: LiveKey = {
    apiKeyId: 'key_1',
    userId: 'usr_member',
    role: 'role_member',
    lastUsedAt: new Date(),
    user: { id: 'usr_member' } as UserEntity,
  };
  const apiKeys = { authenticate: jest.fn<ApiKeysService['authenticate']>() };
  const users = { softDeleteIfLive: jest.fn<UsersRepository['softDeleteIfLive']>(), insertWithApiKey: jest.fn() };
  const moduleRef = await Test.createTestingModule({
    imports: [UsersModule.forRoot({ globalGuard: true, controllers: true })],
  })
    .overrideProvider(USERS_DATA_SOURCE)
    .useValue({})
    .overrideProvider(ApiKeysService)
    .useValue(apiKeys)
    .overrideProvider(UsersRepository)
    .useValue(users)
    .overrideProvider(ApiKeysRepository)
    .useValue({})
    .overrideProvider(AdminBootstrapService)
    .useValue({})
    .compile();
  const env = validateEnvironment({ LOG_LEVEL: 'silent', DOCS_ENABLED: 'false' });
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createFastifyAdapter(env), {
    logger: false,
    bodyParser: false,
  });
  configureApp(app, env);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return { app, apiKeys, users, member };
}

describe('DELETE /v1/user/{user_id} through the real HTTP stack', () => {
  let sut: Awaited<ReturnType<typeof createSut>>;
  const key = generateApiKeySecret();

  beforeEach(async () => {
    sut = await createSut();
  });
  afterEach(async () => {
    await sut.app.close();
  });

  const del = (userId: string, headers: Record<string, string> = { 'x-api-key': key }) =>
    sut.app.inject({ method: 'DELETE', url: `/v1/user/${userId}`, headers });

  it("answers the seed's exact 404 when the conditional UPDATE matched no live row", async () => {
    sut.apiKeys.authenticate.mockResolvedValue(sut.member);
    sut.users.softDeleteIfLive.mockResolvedValue('not_found');
    const response = await del('usr_member', { 'x-api-key': key, 'x-request-id': 'req_abc123xyz' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['x-request-id']).toBe('req_abc123xyz');
    expect(response.json()).toEqual({
      success: false,
      error: {
        code: 'USER_NOT_FOUND',
        message: 'User not found.',
        system_message: 'User not found.',
        type: 'client_error',
        status: 404,
        details: {},
        trace_id: 'req_abc123xyz',
        timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
      },
    });
  });

  it('checks 401, then 403, then 404: a later check never runs when an earlier one fails', async () => {
    expect((await del('usr_member', {})).statusCode).toBe(401);
    expect(sut.apiKeys.authenticate).not.toHaveBeenCalled();

    sut.apiKeys.authenticate.mockResolvedValue(null);
    expect((await del('usr_member')).statusCode).toBe(401);

    sut.apiKeys.authenticate.mockResolvedValue(sut.member);
    expect((await del('usr_someone_else')).statusCode).toBe(403);
    expect(sut.users.softDeleteIfLive).not.toHaveBeenCalled();
  });

  it('answers an unexpected failure with the generic 500 envelope, without its text', async () => {
    sut.apiKeys.authenticate.mockResolvedValue(sut.member);
    sut.users.softDeleteIfLive.mockRejectedValue(new Error('relation "users" does not exist at character 42'));
    const response = await del('usr_member');
    expect(response.statusCode).toBe(500);
    expect(response.json().error).toMatchObject({
      code: 'INTERNAL_ERROR',
      message: 'Something went wrong. Please try again later.',
      system_message: 'Something went wrong. Please try again later.',
      type: 'server_error',
      status: 500,
      details: {},
    });
    expect(response.body).not.toMatch(/relation|character|users/);
  });

  it('answers a database outage with 503 SERVICE_UNAVAILABLE and Retry-After', async () => {
    sut.apiKeys.authenticate.mockResolvedValue(sut.member);
    sut.users.softDeleteIfLive.mockRejectedValue(Object.assign(new Error('x'), { driverError: { code: '57014' } }));
    const response = await del('usr_member');
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.json().error.code).toBe('SERVICE_UNAVAILABLE');
  });
});
