import { generateApiKeySecret, hashApiKeySecret } from './api-key-secret.js';
import { ApiKeysRepository, type KeyPrincipal } from './api-keys.repository.js';
import { ApiKeysService, LAST_USED_INTERVAL_SECONDS } from './api-keys.service.js';

function createSut() {
  const keys = {
    findPrincipalByHash: vi.fn<ApiKeysRepository['findPrincipalByHash']>(),
    touchLastUsed: vi.fn<ApiKeysRepository['touchLastUsed']>().mockResolvedValue(undefined),
  };
  return { sut: new ApiKeysService(keys as unknown as ApiKeysRepository), keys };
}

const principal = (lastUsedAt: Date | null): KeyPrincipal => ({
  apiKeyId: 'key_1',
  userId: 'usr_1',
  role: 'role_member',
  lastUsedAt,
});

describe('ApiKeysService.authenticate', () => {
  it('rejects malformed keys without a database round trip', async () => {
    const { sut, keys } = createSut();
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
    expect(keys.findPrincipalByHash).not.toHaveBeenCalled();
  });

  it('looks a well-formed key up by its SHA-256 hash, never by the secret', async () => {
    const { sut, keys } = createSut();
    const secret = generateApiKeySecret();
    keys.findPrincipalByHash.mockResolvedValue(null);
    await expect(sut.authenticate(secret)).resolves.toBeNull();
    expect(keys.findPrincipalByHash).toHaveBeenCalledWith(hashApiKeySecret(secret));
  });

  it('records last use in the background when it is older than the interval, once per burst', async () => {
    const { sut, keys } = createSut();
    keys.findPrincipalByHash.mockResolvedValue(
      principal(new Date(Date.now() - (LAST_USED_INTERVAL_SECONDS + 1) * 1000)),
    );
    const secret = generateApiKeySecret();
    await Promise.all([sut.authenticate(secret), sut.authenticate(secret), sut.authenticate(secret)]);
    expect(keys.touchLastUsed).toHaveBeenCalledTimes(1);
    expect(keys.touchLastUsed).toHaveBeenCalledWith('key_1', LAST_USED_INTERVAL_SECONDS);
  });

  it('does not write when the key was used recently', async () => {
    const { sut, keys } = createSut();
    keys.findPrincipalByHash.mockResolvedValue(principal(new Date()));
    await sut.authenticate(generateApiKeySecret());
    expect(keys.touchLastUsed).not.toHaveBeenCalled();
  });

  it('still authenticates when recording last use fails', async () => {
    const { sut, keys } = createSut();
    keys.findPrincipalByHash.mockResolvedValue(principal(null));
    keys.touchLastUsed.mockRejectedValue(new Error('db down'));
    await expect(sut.authenticate(generateApiKeySecret())).resolves.toEqual(principal(null));
  });
});
