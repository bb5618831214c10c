import { Injectable } from '@nestjs/common';
import { EmailAlreadyExistsError, UserNotFoundError } from '@app/common';
import { newApiKey } from './api-keys/new-api-key.js';
import type { Caller } from './caller.js';
import { violatedUniqueConstraint } from './database-errors.js';
import type { CreateUserDto, CreateUserResponseDto } from './dto/create-user.dto.js';
import type { DeleteUserResponseDto } from './dto/delete-user-response.dto.js';
import { toUserResponse } from './dto/user-response.dto.js';
import { newUserId } from './ids.js';
import { UsersRepository } from './users.repository.js';

@Injectable()
export class UsersService {
  constructor(private readonly users: UsersRepository) {}

  /** Creates a user with a first API key; the key's secret is in the answer and nowhere else. */
  async create(dto: CreateUserDto, caller: Caller): Promise<CreateUserResponseDto> {
    const { key, secret } = newApiKey('default');
    try {
      const user = await this.users.insertWithApiKey(
        { id: newUserId(), email: dto.email, role: dto.global_role_id ?? 'role_member' },
        key,
        caller,
      );
      return { success: true, user: toUserResponse(user), api_key: secret };
    } catch (error) {
      if (violatedUniqueConstraint(error) === 'UQ_users_email_live') throw new EmailAlreadyExistsError();
      throw error;
    }
  }

  /**
   * Soft-deletes a live user: flags set, every key revoked and `user.deleted` appended, atomically.
   * The caller's right to do so is the guards' business; this only enforces that the user is live,
   * so that of concurrent deletes exactly one succeeds and the rest answer 404.
   */
  async softDelete(userId: string, caller: Caller): Promise<DeleteUserResponseDto> {
    if (!(await this.users.softDeleteIfLive(userId, caller))) throw new UserNotFoundError();
    return { success: true, message: 'User account deleted successfully', user_id: userId };
  }
}
