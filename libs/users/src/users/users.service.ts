import { Injectable } from '@nestjs/common';
import {
  EmailAlreadyExistsError,
  LastAdminError,
  type Page,
  UserAnonymizedError,
  UsernameAlreadyExistsError,
  UserNotFoundError,
} from '@users-service/common';
import { newApiKey } from '../api-keys/new-api-key.js';
import type { Caller } from '../auth/caller.js';
import { violatedUniqueConstraint } from '../database/database-errors.js';
import type { CreateUserDto, CreateUserResponseDto } from './dto/create-user.dto.js';
import type { DeleteUserResponseDto } from './dto/delete-user-response.dto.js';
import type { GetUserQueryDto, ListUsersQueryDto } from './dto/list-users-query.dto.js';
import type { RestoreUserResponseDto } from './dto/restore-user-response.dto.js';
import {
  PROFILE_FIELDS,
  type ProfilePatch,
  type UpdateProfileDto,
  type UpdateProfileResponseDto,
} from './dto/update-profile.dto.js';
import {
  type AdminUserResponseDto,
  toAdminUserResponse,
  toUserResponse,
  type UserResponseDto,
} from './dto/user-response.dto.js';
import { isUserId, newUserId } from './ids.js';
import { UsersRepository } from './users.repository.js';

/** Maps the unique violations of a users write to their domain errors; anything else is rethrown. */
function rethrowUniqueViolation(error: unknown): never {
  const constraint = violatedUniqueConstraint(error);
  if (constraint === 'UQ_users_email_live') throw new EmailAlreadyExistsError();
  if (constraint === 'UQ_users_username_live') throw new UsernameAlreadyExistsError();
  throw error;
}

@Injectable()
export class UsersService {
  constructor(private readonly users: UsersRepository) {}

  /** Creates a user with a first API key; the key's secret is in the answer and nowhere else. */
  async create(dto: CreateUserDto, caller: Caller): Promise<CreateUserResponseDto> {
    const { key, secret } = newApiKey('default');
    const user = await this.users
      .insertWithApiKey({ id: newUserId(), email: dto.email, role: dto.global_role_id ?? 'role_member' }, key, caller)
      .catch((error: unknown) => rethrowUniqueViolation(error));
    return { success: true, user: toUserResponse(user), api_key: secret };
  }

  /**
   * Soft-deletes a live user: flags set, every key revoked and `user.deleted` appended, atomically.
   * The caller's right to do so is the guards' business; this only enforces that the user is live,
   * so that of concurrent deletes exactly one succeeds and the rest answer 404, and that the last
   * live admin stays (409 LAST_ADMIN): without one, nobody could create users.
   */
  async softDelete(userId: string, caller: Caller): Promise<DeleteUserResponseDto> {
    const outcome = await this.users.softDeleteIfLive(userId, caller);
    if (outcome === 'not_found') throw new UserNotFoundError();
    if (outcome === 'last_admin') throw new LastAdminError();
    return { success: true, message: 'User account deleted successfully', user_id: userId };
  }

  /**
   * The caller's own user object: the row authentication read a moment ago when there is one (one
   * round trip for the whole request), else read now. 404 only if the account is gone.
   */
  async getOwn(caller: Caller): Promise<UserResponseDto> {
    const user = caller.user ?? (await this.users.findById(caller.userId));
    if (!user || user.isDeleted) throw new UserNotFoundError();
    return toUserResponse(user);
  }

  /**
   * A user by id. Whether the caller may ask is the guard's business (own id or admin). A deleted
   * user is not found, except for an admin asking `include_deleted`, who sees the deletion state.
   */
  async getById(userId: string, query: GetUserQueryDto, caller: Caller): Promise<UserResponseDto> {
    if (!isUserId(userId)) throw new UserNotFoundError();
    const user = await this.users.findById(userId);
    const adminView = caller.role === 'role_admin' && query.include_deleted;
    if (!user || (user.isDeleted && !adminView)) throw new UserNotFoundError();
    return adminView ? toAdminUserResponse(user) : toUserResponse(user);
  }

  /** One page of users for an admin; deleted users only when asked for, then with their deletion state. */
  async list(query: ListUsersQueryDto): Promise<Page<UserResponseDto | AdminUserResponseDto>> {
    const { users, total } = await this.users.listPage({
      skip: query.skip,
      limit: query.limit,
      activeOnly: query.active_only,
      includeDeleted: query.include_deleted,
    });
    const map = query.include_deleted ? toAdminUserResponse : toUserResponse;
    return { items: users.map(map), total };
  }

  /**
   * Changes the caller's own profile fields. Only fields whose value really changes count: they
   * move `updated_at` and are named (not their values) in the `user.updated` audit event.
   */
  async updateProfile(dto: UpdateProfileDto, caller: Caller): Promise<UpdateProfileResponseDto> {
    const patch: ProfilePatch = {};
    for (const field of PROFILE_FIELDS) {
      const value = dto[field];
      if (value !== undefined) patch[field] = value;
    }
    const result = await this.users
      .updateProfileIfLive(caller.userId, patch, caller)
      .catch((error: unknown) => rethrowUniqueViolation(error));
    if (!result) throw new UserNotFoundError();
    return { success: true, message: 'Profile updated successfully', profile: toUserResponse(result.user) };
  }

  /**
   * Undoes a soft delete: the user is live again with a fresh key (shown once); the old keys stay
   * revoked. Refused when the user is not deleted (404), when retention has anonymized it, or
   * when a live user has taken its e-mail or username meanwhile (409).
   */
  async restore(userId: string, caller: Caller): Promise<RestoreUserResponseDto> {
    if (!isUserId(userId)) throw new UserNotFoundError();
    const { key, secret } = newApiKey('restored');
    const user = await this.users
      .restoreIfDeleted(userId, key, caller)
      .catch((error: unknown) => rethrowUniqueViolation(error));
    if (user) return { success: true, user: toUserResponse(user), api_key: secret };
    // The conditional write matched nothing; only now look at why, to answer with the right code.
    const current = await this.users.findById(userId);
    if (current?.anonymizedAt) throw new UserAnonymizedError();
    throw new UserNotFoundError();
  }
}
