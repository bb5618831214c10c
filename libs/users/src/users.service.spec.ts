import { EmailAlreadyExistsError, UserNotFoundError } from '@app/common';
import { hashApiKeySecret } from './api-keys/api-key-secret.js';
import type { Caller } from './caller.js';
import type { UserEntity } from './user.entity.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

const caller: Caller = {
  userId: 'usr_0123456789abcdef0123456789abcdef',
  role: 'role_admin',
  apiKeyId: 'key_0123456789abcdef0123456789abcdef',
  traceId: 'req_1',
  ip: '127.0.0.1',
  userAgent: 'vitest',
};

function createSut() {
  const users = {
    insertWithApiKey: vi.fn<UsersRepository['insertWithApiKey']>(),
    softDeleteIfLive: vi.fn<UsersRepository['softDeleteIfLive']>(),
  };
  const sut = new UsersService(users as unknown as UsersRepository);
  return { sut, users };
}

const entity = (overrides: Partial<UserEntity> = {}): UserEntity => ({
  id: 'usr_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  email: 'a@example.com',
  username: null,
  fullName: null,
  firstName: 'Ada',
  lastName: 'Lovelace',
  birthday: null,
  profileImage: null,
  timezone: null,
  countryId: null,
  postCode: null,
  gender: null,
  globalRoleId: 'role_member',
  isActive: true,
  isDeleted: false,
  deletedAt: null,
  deletedBy: null,
  lastVerified: null,
  lastLogin: null,
  createdAt: new Date('2025-11-15T10:30:00.123Z'),
  updatedAt: new Date('2025-11-15T10:30:00.123Z'),
  anonymizedAt: null,
  ...overrides,
});

describe('UsersService', () => {
  describe('softDelete', () => {
    it("answers the seed's 200 body when the user was live", async () => {
      const { sut, users } = createSut();
      users.softDeleteIfLive.mockResolvedValue(true);
      await expect(sut.softDelete('usr_x', caller)).resolves.toEqual({
        success: true,
        message: 'User account deleted successfully',
        user_id: 'usr_x',
      });
      expect(users.softDeleteIfLive).toHaveBeenCalledWith('usr_x', caller);
    });

    it('throws UserNotFoundError when no live user matched', async () => {
      const { sut, users } = createSut();
      users.softDeleteIfLive.mockResolvedValue(false);
      await expect(sut.softDelete('usr_x', caller)).rejects.toBeInstanceOf(UserNotFoundError);
    });
  });

  describe('create', () => {
    it('stores only the hash of a fresh key and returns the secret once, with the user object', async () => {
      const { sut, users } = createSut();
      users.insertWithApiKey.mockImplementation((user) => Promise.resolve(entity({ id: user.id, email: user.email })));

      const result = await sut.create({ email: 'a@example.com' }, caller);

      const [user, key, passedCaller] = users.insertWithApiKey.mock.calls[0]!;
      expect(user).toEqual({
        id: expect.stringMatching(/^usr_[0-9a-f]{32}$/),
        email: 'a@example.com',
        role: 'role_member',
      });
      expect(key.keyHash).toBe(hashApiKeySecret(result.api_key));
      expect(JSON.stringify(key)).not.toContain(result.api_key);
      expect(passedCaller).toBe(caller);
      expect(result).toMatchObject({
        success: true,
        user: { id: user.id, full_name: 'Ada Lovelace', created_at: '2025-11-15T10:30:00Z' },
      });
      expect(result.user).not.toHaveProperty('is_deleted');
    });

    it('maps the live-e-mail unique violation to EmailAlreadyExistsError', async () => {
      const { sut, users } = createSut();
      users.insertWithApiKey.mockRejectedValue({ driverError: { code: '23505', constraint: 'UQ_users_email_live' } });
      await expect(sut.create({ email: 'a@example.com' }, caller)).rejects.toBeInstanceOf(EmailAlreadyExistsError);
    });

    it('lets any other failure through unchanged', async () => {
      const { sut, users } = createSut();
      const failure = new Error('connection lost');
      users.insertWithApiKey.mockRejectedValue(failure);
      await expect(sut.create({ email: 'a@example.com' }, caller)).rejects.toBe(failure);
    });
  });
});
