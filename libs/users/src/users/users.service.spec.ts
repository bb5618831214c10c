import { describe, expect, it, jest } from '@jest/globals';
import {
  EmailAlreadyExistsError,
  UserAnonymizedError,
  UsernameAlreadyExistsError,
  UserNotFoundError,
} from '@users-service/common';
import { hashApiKeySecret } from '../api-keys/api-key-secret.js';
import type { Caller } from '../auth/caller.js';
import type { UserEntity } from './user.entity.js';
import type { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

/** A well-formed id; the repository fakes decide whether it exists. */
const SOME_ID = `usr_${'4'.repeat(32)}`;

const member: Caller = {
  userId: 'usr_11111111111111111111111111111111',
  role: 'role_member',
  apiKeyId: 'key_1',
  traceId: 'req_1',
  ip: '127.0.0.1',
  userAgent: 'test',
};
const admin: Caller = { ...member, userId: 'usr_22222222222222222222222222222222', role: 'role_admin' };

function user(overrides: Partial<UserEntity> = {}): UserEntity {
  return {
    id: 'usr_33333333333333333333333333333333',
    email: 'u@example.com',
    username: null,
    fullName: null,
    firstName: 'Ada',
    lastName: null,
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
    anonymizedAt: null,
    lastVerified: null,
    lastLogin: null,
    createdAt: new Date('2025-01-01T00:00:00.123Z'),
    updatedAt: new Date('2025-01-02T00:00:00Z'),
    ...overrides,
  };
}

const uniqueViolation = (constraint: string) =>
  Object.assign(new Error('duplicate key'), { driverError: { code: '23505', constraint } });

function createSut() {
  const repository = {
    findById: jest.fn<UsersRepository['findById']>(),
    listPage: jest.fn<UsersRepository['listPage']>(),
    updateProfileIfLive: jest.fn<UsersRepository['updateProfileIfLive']>(),
    restoreIfDeleted: jest.fn<UsersRepository['restoreIfDeleted']>(),
    insertWithApiKey: jest.fn<UsersRepository['insertWithApiKey']>(),
    softDeleteIfLive: jest.fn<UsersRepository['softDeleteIfLive']>(),
  };
  const sut = new UsersService(repository as unknown as UsersRepository);
  return { sut, repository };
}

describe('UsersService', () => {
  describe('getById', () => {
    it('hides a deleted user unless an admin asks include_deleted, then shows the deletion state', async () => {
      const { sut, repository } = createSut();
      const deletedAt = new Date('2025-03-03T03:03:03Z');
      repository.findById.mockResolvedValue(
        user({ isDeleted: true, isActive: false, deletedAt, deletedBy: member.userId }),
      );

      await expect(sut.getById(SOME_ID, { include_deleted: false }, admin)).rejects.toBeInstanceOf(UserNotFoundError);
      await expect(sut.getById(SOME_ID, { include_deleted: true }, member)).rejects.toBeInstanceOf(UserNotFoundError);
      await expect(sut.getById(SOME_ID, { include_deleted: true }, admin)).resolves.toMatchObject({
        is_deleted: true,
        deleted_at: '2025-03-03T03:03:03Z',
        deleted_by: member.userId,
        anonymized_at: null,
      });
    });

    it('answers the plain user object, without the deletion state, to anyone else', async () => {
      const { sut, repository } = createSut();
      repository.findById.mockResolvedValue(user());
      const answer = await sut.getById(SOME_ID, { include_deleted: true }, member);
      expect(answer).not.toHaveProperty('is_deleted');
      expect(answer).toMatchObject({ full_name: 'Ada', created_at: '2025-01-01T00:00:00Z' });
    });

    it('answers 404 for an unknown id', async () => {
      const { sut, repository } = createSut();
      repository.findById.mockResolvedValue(null);
      await expect(sut.getById(SOME_ID, { include_deleted: true }, admin)).rejects.toBeInstanceOf(UserNotFoundError);
    });
  });

  describe('list', () => {
    it('passes the filters through and shows the deletion state only with include_deleted', async () => {
      const { sut, repository } = createSut();
      repository.listPage.mockResolvedValue({ users: [user()], total: 7 });
      const plain = await sut.list({ skip: 5, limit: 1, active_only: true, include_deleted: false });
      expect(repository.listPage).toHaveBeenCalledWith({ skip: 5, limit: 1, activeOnly: true, includeDeleted: false });
      expect(plain.total).toBe(7);
      expect(plain.items[0]).not.toHaveProperty('is_deleted');
      const withDeleted = await sut.list({ skip: 0, limit: 100, active_only: false, include_deleted: true });
      expect(withDeleted.items[0]).toHaveProperty('is_deleted', false);
    });
  });

  describe('updateProfile', () => {
    it('sends only the fields present in the request; null clears', async () => {
      const { sut, repository } = createSut();
      repository.updateProfileIfLive.mockResolvedValue({
        user: user({ username: 'ada' }),
        changedFields: ['username'],
      });
      const answer = await sut.updateProfile({ username: 'ada', gender: null, first_name: undefined }, member);
      expect(repository.updateProfileIfLive).toHaveBeenCalledWith(
        member.userId,
        { username: 'ada', gender: null },
        member,
      );
      expect(answer).toMatchObject({
        success: true,
        message: 'Profile updated successfully',
        profile: { username: 'ada' },
      });
    });

    it('maps a taken username to 409 USERNAME_ALREADY_EXISTS and rethrows anything else', async () => {
      const { sut, repository } = createSut();
      repository.updateProfileIfLive.mockRejectedValueOnce(uniqueViolation('UQ_users_username_live'));
      await expect(sut.updateProfile({ username: 'ada' }, member)).rejects.toBeInstanceOf(UsernameAlreadyExistsError);
      const boom = new Error('connection lost');
      repository.updateProfileIfLive.mockRejectedValueOnce(boom);
      await expect(sut.updateProfile({ username: 'ada' }, member)).rejects.toBe(boom);
    });

    it('answers 404 when the caller was deleted meanwhile', async () => {
      const { sut, repository } = createSut();
      repository.updateProfileIfLive.mockResolvedValue(null);
      await expect(sut.updateProfile({}, member)).rejects.toBeInstanceOf(UserNotFoundError);
    });
  });

  describe('restore', () => {
    it('returns the user and a fresh secret whose hash is what the repository stores', async () => {
      const { sut, repository } = createSut();
      repository.restoreIfDeleted.mockResolvedValue(user());
      const answer = await sut.restore(SOME_ID, admin);
      expect(answer.api_key).toMatch(/^ak_[A-Za-z0-9]{40}$/);
      const [, key] = repository.restoreIfDeleted.mock.calls[0]!;
      expect(key.keyHash).toBe(hashApiKeySecret(answer.api_key));
      expect(answer.user).not.toHaveProperty('is_deleted');
    });

    it.each([
      ['UQ_users_email_live', EmailAlreadyExistsError],
      ['UQ_users_username_live', UsernameAlreadyExistsError],
    ])('maps a violation of %s to its 409', async (constraint, errorClass) => {
      const { sut, repository } = createSut();
      repository.restoreIfDeleted.mockRejectedValue(uniqueViolation(constraint));
      await expect(sut.restore(SOME_ID, admin)).rejects.toBeInstanceOf(errorClass);
    });

    it('tells an anonymized user (409) from one that is not deleted or unknown (404)', async () => {
      const { sut, repository } = createSut();
      repository.restoreIfDeleted.mockResolvedValue(null);
      repository.findById.mockResolvedValueOnce(user({ isDeleted: true, isActive: false, anonymizedAt: new Date() }));
      await expect(sut.restore(SOME_ID, admin)).rejects.toBeInstanceOf(UserAnonymizedError);
      repository.findById.mockResolvedValueOnce(user());
      await expect(sut.restore(SOME_ID, admin)).rejects.toBeInstanceOf(UserNotFoundError);
      repository.findById.mockResolvedValueOnce(null);
      await expect(sut.restore(SOME_ID, admin)).rejects.toBeInstanceOf(UserNotFoundError);
    });
  });

  describe('getOwn', () => {
    it('answers from the row authentication read, without another query', async () => {
      const { sut, repository } = createSut();
      const own = user({ id: member.userId, email: 'me@example.com' });
      await expect(sut.getOwn({ ...member, user: own })).resolves.toMatchObject({
        id: member.userId,
        email: 'me@example.com',
      });
      expect(repository.findById).not.toHaveBeenCalled();
    });

    it('reads the row when the caller came without one (outside HTTP)', async () => {
      const { sut, repository } = createSut();
      repository.findById.mockResolvedValue(user({ id: member.userId }));
      await expect(sut.getOwn(member)).resolves.toMatchObject({ id: member.userId });
      repository.findById.mockResolvedValue(null);
      await expect(sut.getOwn(member)).rejects.toBeInstanceOf(UserNotFoundError);
    });
  });

  describe('ids that cannot exist', () => {
    it('are not found, without a query', async () => {
      const { sut, repository } = createSut();
      for (const id of ['usr_x', 'usr_\u0000', '', `usr_${'A'.repeat(32)}`]) {
        await expect(sut.getById(id, {} as never, admin)).rejects.toBeInstanceOf(UserNotFoundError);
        await expect(sut.restore(id, admin)).rejects.toBeInstanceOf(UserNotFoundError);
      }
      expect(repository.findById).not.toHaveBeenCalled();
      expect(repository.restoreIfDeleted).not.toHaveBeenCalled();
    });
  });

  describe('softDelete', () => {
    it("answers the seed's 200 body when the user was live", async () => {
      const { sut, repository } = createSut();
      repository.softDeleteIfLive.mockResolvedValue('deleted');
      await expect(sut.softDelete('usr_x', admin)).resolves.toEqual({
        success: true,
        message: 'User account deleted successfully',
        user_id: 'usr_x',
      });
      expect(repository.softDeleteIfLive).toHaveBeenCalledWith('usr_x', admin);
    });

    it('throws UserNotFoundError when no live user matched', async () => {
      const { sut, repository } = createSut();
      repository.softDeleteIfLive.mockResolvedValue('not_found');
      await expect(sut.softDelete('usr_x', admin)).rejects.toBeInstanceOf(UserNotFoundError);
    });
  });

  describe('create', () => {
    it('stores only the hash of a fresh key and returns the secret once, with the user object', async () => {
      const { sut, repository } = createSut();
      repository.insertWithApiKey.mockImplementation((created) =>
        Promise.resolve(user({ id: created.id, email: created.email })),
      );

      const result = await sut.create({ email: 'a@example.com' }, admin);

      const [created, key, passedAdmin] = repository.insertWithApiKey.mock.calls[0]!;
      expect(created).toEqual({
        id: expect.stringMatching(/^usr_[0-9a-f]{32}$/),
        email: 'a@example.com',
        role: 'role_member',
      });
      expect(key.keyHash).toBe(hashApiKeySecret(result.api_key));
      expect(JSON.stringify(key)).not.toContain(result.api_key);
      expect(passedAdmin).toBe(admin);
      expect(result).toMatchObject({
        success: true,
        user: { id: created.id, full_name: 'Ada', created_at: '2025-01-01T00:00:00Z' },
      });
      expect(result.user).not.toHaveProperty('is_deleted');
    });

    it('maps the live-e-mail unique violation to EmailAlreadyExistsError', async () => {
      const { sut, repository } = createSut();
      repository.insertWithApiKey.mockRejectedValue({
        driverError: { code: '23505', constraint: 'UQ_users_email_live' },
      });
      await expect(sut.create({ email: 'a@example.com' }, admin)).rejects.toBeInstanceOf(EmailAlreadyExistsError);
    });

    it('lets any other failure through unchanged', async () => {
      const { sut, repository } = createSut();
      const failure = new Error('connection lost');
      repository.insertWithApiKey.mockRejectedValue(failure);
      await expect(sut.create({ email: 'a@example.com' }, admin)).rejects.toBe(failure);
    });
  });
});
