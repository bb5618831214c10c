import { describe, expect, it, jest } from '@jest/globals';
import {
  ApiKeyLimitReachedError,
  ApiKeyNotFoundError,
  LastApiKeyError,
  UserNotFoundError,
} from '@users-service/common';
import type { Caller } from '../auth/caller.js';
import type { UserEntity } from '../users/user.entity.js';
import { generateApiKeySecret, hashApiKeySecret } from './api-key-secret.js';
import type { ApiKeysRepository, LiveKey } from './api-keys.repository.js';
import { ApiKeysService, LAST_USED_INTERVAL_SECONDS } from './api-keys.service.js';

const KEY_ID = `key_${'0'.repeat(32)}`;

const caller: Caller = {
  userId: 'usr_11111111111111111111111111111111',
  role: 'role_member',
  apiKeyId: 'key_in_use',
  traceId: 'req_1',
  ip: null,
  userAgent: null,
};

function createSut() {
  const repository = {
    insertForLiveUser: jest.fn<ApiKeysRepository['insertForLiveUser']>(),
    listPageForUser: jest.fn<ApiKeysRepository['listPageForUser']>(),
    revokeForUser: jest.fn<ApiKeysRepository['revokeForUser']>(),
    findLiveByHash: jest.fn<ApiKeysRepository['findLiveByHash']>(),
    touchLastUsed: jest.fn<ApiKeysRepository['touchLastUsed']>().mockResolvedValue(undefined),
  };
  const sut = new ApiKeysService(repository as unknown as ApiKeysRepository, { maxApiKeysPerUser: 3 });
  return { sut, repository };
}

describe('ApiKeysService', () => {
  it('creates a key for the caller and shows the secret whose hash it stored', async () => {
    const { sut, repository } = createSut();
    repository.insertForLiveUser.mockImplementation((_userId, key) =>
      Promise.resolve({
        id: key.id,
        name: key.name,
        prefix: key.prefix,
        created_at: new Date('2025-01-01T00:00:00.500Z'),
        last_used_at: null,
        expires_at: key.expiresAt,
        revoked_at: null,
      }),
    );
    const answer = await sut.createForCaller({ name: 'ci', expires_at: '2099-01-01T00:00:00Z' }, caller);
    const [userId, key] = repository.insertForLiveUser.mock.calls[0]!;
    expect(userId).toBe(caller.userId);
    expect(key.keyHash).toBe(hashApiKeySecret(answer.api_key));
    expect(answer.key).toEqual({
      id: key.id,
      name: 'ci',
      prefix: answer.api_key.slice(0, 10),
      created_at: '2025-01-01T00:00:00Z',
      expires_at: '2099-01-01T00:00:00Z',
    });
  });

  it('answers 404 when the caller was deleted before the key could be added', async () => {
    const { sut, repository } = createSut();
    repository.insertForLiveUser.mockResolvedValue('not_found');
    await expect(sut.createForCaller({}, caller)).rejects.toBeInstanceOf(UserNotFoundError);
  });

  it('answers 409 when the caller holds the most live keys allowed, passing the cap to the locked count', async () => {
    const { sut, repository } = createSut();
    repository.insertForLiveUser.mockResolvedValue('limit_reached');
    await expect(sut.createForCaller({}, caller)).rejects.toBeInstanceOf(ApiKeyLimitReachedError);
    expect(repository.insertForLiveUser.mock.calls[0]![3]).toBe(3);
  });

  it.each([
    ['not_found', ApiKeyNotFoundError],
    ['last_key', LastApiKeyError],
  ] as const)('maps the revocation outcome %s to its error', async (outcome, errorClass) => {
    const { sut, repository } = createSut();
    repository.revokeForUser.mockResolvedValue(outcome);
    await expect(sut.revokeForCaller(KEY_ID, caller)).rejects.toBeInstanceOf(errorClass);
    expect(repository.revokeForUser).toHaveBeenCalledWith(KEY_ID, caller.userId, caller);
  });

  it('answers 404 for a key id that cannot exist, without a query', async () => {
    const { sut, repository } = createSut();
    await expect(sut.revokeForCaller('key_\u0000', caller)).rejects.toBeInstanceOf(ApiKeyNotFoundError);
    expect(repository.revokeForUser).not.toHaveBeenCalled();
  });

  it('answers the revocation', async () => {
    const { sut, repository } = createSut();
    repository.revokeForUser.mockResolvedValue('revoked');
    await expect(sut.revokeForCaller(KEY_ID, caller)).resolves.toEqual({
      success: true,
      message: 'API key revoked successfully',
      key_id: KEY_ID,
    });
  });
});

const liveKey = (lastUsedAt: Date | null): LiveKey => ({
  apiKeyId: 'key_1',
  userId: 'usr_1',
  role: 'role_member',
  lastUsedAt,
  user: { id: 'usr_1' } as UserEntity,
});

describe('ApiKeysService.authenticate', () => {
  it('rejects malformed keys without a database round trip', async () => {
    const { sut, repository } = createSut();
    for (const key of [
      '',
      'ak_',
      'ak_short',
      `ak_${'a'.repeat(65)}`,
      `xk_${'a'.repeat(40)}`,
      `ak_${'a'.repeat(39)}!`,
    ]) {
      await expect(sut.authenticate(key)).resolves.toBeNull();
    }
    expect(repository.findLiveByHash).not.toHaveBeenCalled();
  });

  it('looks a well-formed key up by its SHA-256 hash, never by the secret', async () => {
    const { sut, repository } = createSut();
    const secret = generateApiKeySecret();
    repository.findLiveByHash.mockResolvedValue(null);
    await expect(sut.authenticate(secret)).resolves.toBeNull();
    expect(repository.findLiveByHash).toHaveBeenCalledWith(hashApiKeySecret(secret));
  });

  it('records last use in the background when it is older than the interval, once per burst', async () => {
    const { sut, repository } = createSut();
    repository.findLiveByHash.mockResolvedValue(
      liveKey(new Date(Date.now() - (LAST_USED_INTERVAL_SECONDS + 1) * 1000)),
    );
    const secret = generateApiKeySecret();
    await Promise.all([sut.authenticate(secret), sut.authenticate(secret), sut.authenticate(secret)]);
    expect(repository.touchLastUsed).toHaveBeenCalledTimes(1);
    expect(repository.touchLastUsed).toHaveBeenCalledWith('key_1', LAST_USED_INTERVAL_SECONDS);
  });

  it('does not write when the key was used recently', async () => {
    const { sut, repository } = createSut();
    repository.findLiveByHash.mockResolvedValue(liveKey(new Date()));
    await sut.authenticate(generateApiKeySecret());
    expect(repository.touchLastUsed).not.toHaveBeenCalled();
  });

  it('still authenticates when recording last use fails', async () => {
    const { sut, repository } = createSut();
    repository.findLiveByHash.mockResolvedValue(liveKey(null));
    repository.touchLastUsed.mockRejectedValue(new Error('db down'));
    await expect(sut.authenticate(generateApiKeySecret())).resolves.toEqual(liveKey(null));
  });
});
