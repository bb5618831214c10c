import { ApiKeyNotFoundError, LastApiKeyError, UserNotFoundError } from '@app/common';
import type { Caller } from '../caller.js';
import { hashApiKeySecret } from './api-key-secret.js';
import type { ApiKeysRepository } from './api-keys.repository.js';
import { ApiKeysService } from './api-keys.service.js';

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
    insertForLiveUser: vi.fn<ApiKeysRepository['insertForLiveUser']>(),
    listForUser: vi.fn<ApiKeysRepository['listForUser']>(),
    revokeForUser: vi.fn<ApiKeysRepository['revokeForUser']>(),
    findPrincipalByHash: vi.fn<ApiKeysRepository['findPrincipalByHash']>(),
    touchLastUsed: vi.fn<ApiKeysRepository['touchLastUsed']>(),
  };
  const sut = new ApiKeysService(repository as unknown as ApiKeysRepository);
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
    repository.insertForLiveUser.mockResolvedValue(null);
    await expect(sut.createForCaller({}, caller)).rejects.toBeInstanceOf(UserNotFoundError);
  });

  it.each([
    ['not_found', ApiKeyNotFoundError],
    ['last_key', LastApiKeyError],
  ] as const)('maps the revocation outcome %s to its error', async (outcome, errorClass) => {
    const { sut, repository } = createSut();
    repository.revokeForUser.mockResolvedValue(outcome);
    await expect(sut.revokeForCaller('key_x', caller)).rejects.toBeInstanceOf(errorClass);
    expect(repository.revokeForUser).toHaveBeenCalledWith('key_x', caller.userId, caller);
  });

  it('answers the revocation', async () => {
    const { sut, repository } = createSut();
    repository.revokeForUser.mockResolvedValue('revoked');
    await expect(sut.revokeForCaller('key_x', caller)).resolves.toEqual({
      success: true,
      message: 'API key revoked successfully',
      key_id: 'key_x',
    });
  });
});
