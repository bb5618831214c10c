import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import {
  ApiErrorResponse,
  EmailAlreadyExistsError,
  LastAdminError,
  type Page,
  UserAnonymizedError,
  UsernameAlreadyExistsError,
  UserNotFoundError,
  ValidationError,
} from '@users-service/common';
import type { Caller } from '../auth/caller.js';
import { AdminOnly } from '../auth/admin-only.decorator.js';
import { ApiKeyAuth } from '../auth/api-key-auth.decorator.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { OwnAccountOnly, OwnAccountOrAdmin } from '../auth/own-account-only.decorator.js';
import { PagedResponse } from './dto/paged-response.decorator.js';
import { CreateUserDto, CreateUserResponseDto } from './dto/create-user.dto.js';
import { DeleteUserResponseDto } from './dto/delete-user-response.dto.js';
import { GetUserQueryDto, ListUsersQueryDto } from './dto/list-users-query.dto.js';
import { RestoreUserResponseDto } from './dto/restore-user-response.dto.js';
import { UpdateProfileDto, UpdateProfileResponseDto } from './dto/update-profile.dto.js';
import { AdminUserResponseDto, UserResponseDto } from './dto/user-response.dto.js';
import { USER_EXAMPLE } from './dto/user.examples.js';
import { UsersService } from './users.service.js';

const USER_ID_PARAM = { name: 'user_id', description: 'A user id.', example: 'usr_4ab3bd9533df40318468ed9cc0d8c391' };
const PROFILE_VALIDATION_ERROR = new ValidationError([
  { field: 'username', rule: 'matches', message: 'username may hold only lowercase letters, digits, ".", "_" and "-"' },
  { field: 'email', rule: 'read_only', message: 'email cannot be changed with this endpoint' },
  { field: 'is_active', rule: 'unknown_field', message: 'is_active is not an accepted field' },
]);
const QUERY_VALIDATION_ERROR = new ValidationError([
  { field: 'limit', rule: 'max', message: 'limit must not be greater than 100' },
]);

/**
 * Routes on users. Static paths (`me`, `profile`) are matched before `:user_id` by Fastify's router
 * whatever the declaration order; a test proves it.
 */
@ApiTags('users')
@ApiKeyAuth()
@Controller('v1/user')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('me')
  @ApiOperation({
    summary: 'Get my profile',
    description: "The caller's own user object (the account that owns the API key).",
  })
  @ApiOkResponse({ type: UserResponseDto, description: "The caller's user object.", example: USER_EXAMPLE })
  getMe(@CurrentUser() caller: Caller): Promise<UserResponseDto> {
    return this.users.getOwn(caller);
  }

  @Get('profile')
  @ApiOperation({ summary: 'Get my profile (alias)', description: 'The same as `GET /v1/user/me`.' })
  @ApiOkResponse({ type: UserResponseDto, description: "The caller's user object.", example: USER_EXAMPLE })
  getProfile(@CurrentUser() caller: Caller): Promise<UserResponseDto> {
    return this.users.getOwn(caller);
  }

  @Patch('profile')
  @ApiOperation({
    summary: 'Update my profile',
    description:
      "Changes any subset of the caller's own profile fields; `null` clears one. The e-mail cannot be changed here, " +
      'and any other field (role, flags, timestamps) is rejected. `updated_at` moves only when a value really ' +
      'changes, and a `user.updated` audit event names the changed fields (not their values).',
  })
  @ApiBody({ type: UpdateProfileDto })
  @ApiOkResponse({
    type: UpdateProfileResponseDto,
    description: 'The profile after the change.',
    example: { success: true, message: 'Profile updated successfully', profile: USER_EXAMPLE },
  })
  @ApiErrorResponse('A user that is not deleted already has this username.', new UsernameAlreadyExistsError())
  @ApiErrorResponse(
    'A field breaks its rule, or the body has `email` or an unknown field; `details.fields` lists each.',
    PROFILE_VALIDATION_ERROR,
  )
  updateProfile(@Body() dto: UpdateProfileDto, @CurrentUser() caller: Caller): Promise<UpdateProfileResponseDto> {
    return this.users.updateProfile(dto, caller);
  }

  @Get()
  @AdminOnly()
  @PagedResponse(AdminUserResponseDto, 'users', { ...USER_EXAMPLE })
  @ApiOperation({
    summary: 'List users',
    description:
      'Admins only. A bare JSON array of user objects in a stable order (`created_at`, then `id`); the total ' +
      'across pages is in the `X-Total-Count` header. Soft-deleted users appear only with `include_deleted=true`, ' +
      'and then every item also shows `is_deleted`, `deleted_at`, `deleted_by` and `anonymized_at`.',
  })
  @ApiErrorResponse('A query parameter breaks its rule (e.g. `limit` above 100).', QUERY_VALIDATION_ERROR)
  listUsers(@Query() query: ListUsersQueryDto): Promise<Page<UserResponseDto>> {
    return this.users.list(query);
  }

  @Get(':user_id')
  @OwnAccountOrAdmin()
  @ApiOperation({
    summary: 'Get a user',
    description:
      "A user by id: the caller's own, or anyone's for an admin. A soft-deleted user is not found, except for an " +
      'admin asking `include_deleted=true`, who sees it with `is_deleted`, `deleted_at`, `deleted_by` and ' +
      '`anonymized_at`.',
  })
  @ApiParam(USER_ID_PARAM)
  @ApiOkResponse({
    type: AdminUserResponseDto,
    description: 'The user object; the deletion fields only for an admin asking `include_deleted=true`.',
    example: USER_EXAMPLE,
  })
  @ApiErrorResponse(
    'No such user, or it is deleted and the caller did not ask for deleted users.',
    new UserNotFoundError(),
  )
  @ApiErrorResponse(
    'A query parameter breaks its rule.',
    new ValidationError([
      { field: 'include_deleted', rule: 'isBoolean', message: 'include_deleted must be a boolean value' },
    ]),
  )
  getUser(
    @Param('user_id') userId: string,
    @Query() query: GetUserQueryDto,
    @CurrentUser() caller: Caller,
  ): Promise<UserResponseDto> {
    return this.users.getById(userId, query, caller);
  }

  @Post(':user_id/restore')
  @HttpCode(200)
  @AdminOnly()
  @ApiOperation({
    summary: 'Restore a deleted user',
    description:
      'Admins only. Undoes a soft delete: the flags go back, `deleted_*` are cleared and a `user.restored` audit ' +
      'event is appended. The keys the user had stay revoked; a fresh key is in this answer and nowhere else. ' +
      'Refused when a live user has taken the e-mail or username meanwhile, and when retention has anonymized the account.',
  })
  @ApiParam(USER_ID_PARAM)
  @ApiOkResponse({
    type: RestoreUserResponseDto,
    description: 'The restored user and its new API key.',
    example: { success: true, user: USER_EXAMPLE, api_key: 'ak_Q2x8mZbN4tR7vK1pL9sD3fG6hJ0wE5yU2iO8aC4n' },
  })
  @ApiErrorResponse('No user with this id is deleted (it does not exist or is live).', new UserNotFoundError())
  @ApiErrorResponse(
    'A live user has taken the e-mail (EMAIL_ALREADY_EXISTS) or the username (USERNAME_ALREADY_EXISTS), or retention has anonymized the account (USER_ANONYMIZED).',
    new EmailAlreadyExistsError(),
    new UsernameAlreadyExistsError(),
    new UserAnonymizedError(),
  )
  restoreUser(@Param('user_id') userId: string, @CurrentUser() caller: Caller): Promise<RestoreUserResponseDto> {
    return this.users.restore(userId, caller);
  }

  @Post()
  @AdminOnly()
  @ApiOperation({
    summary: 'Create a user',
    description:
      'Admins only. Creates a user and a first API key for it. The key is in this answer and nowhere else: only its hash is stored.',
  })
  @ApiBody({ type: CreateUserDto })
  @ApiCreatedResponse({
    type: CreateUserResponseDto,
    description: 'The user and its API key.',
    example: { success: true, user: USER_EXAMPLE, api_key: 'ak_Q2x8mZbN4tR7vK1pL9sD3fG6hJ0wE5yU2iO8aC4n' },
  })
  @ApiErrorResponse('A user that is not deleted already has this e-mail address.', new EmailAlreadyExistsError())
  @ApiErrorResponse(
    'The body breaks a field rule or has an unknown field.',
    new ValidationError([{ field: 'email', rule: 'isEmail', message: 'email must be an e-mail address' }]),
  )
  createUser(@Body() dto: CreateUserDto, @CurrentUser() caller: Caller): Promise<CreateUserResponseDto> {
    return this.users.create(dto, caller);
  }

  @Delete(':user_id')
  @HttpCode(200)
  @OwnAccountOnly('You can only delete your own account.')
  @ApiOperation({
    summary: 'Delete user',
    description:
      'Soft delete a user account. Sets deletion flags while preserving data for audit purposes.\n\n' +
      'Performs a soft delete on a user account by setting `is_deleted` and `is_active` flags. The user will no ' +
      'longer appear in active user lists, but their data is preserved for audit and compliance purposes.\n\n' +
      "**Access Control:** Users can only delete their own account. Attempting to delete another user's account " +
      'will result in a 403 error. The last live admin cannot delete their own account (409 `LAST_ADMIN`).',
  })
  @ApiParam({
    name: 'user_id',
    description: "The unique identifier of the user to delete. Must match the authenticated user's ID.",
    example: 'usr_4ab3bd9533df40318468ed9cc0d8c391',
  })
  @ApiOkResponse({
    type: DeleteUserResponseDto,
    description: 'The account is soft-deleted and all its API keys are revoked.',
    example: {
      success: true,
      message: 'User account deleted successfully',
      user_id: 'usr_4ab3bd9533df40318468ed9cc0d8c391',
    },
  })
  @ApiErrorResponse('The user is already deleted (for instance by a concurrent request).', new UserNotFoundError())
  @ApiErrorResponse(
    'The caller is the last live admin: create another admin (`POST /v1/user` with `global_role_id: role_admin`) first.',
    new LastAdminError(),
  )
  deleteUser(@Param('user_id') userId: string, @CurrentUser() caller: Caller): Promise<DeleteUserResponseDto> {
    return this.users.softDelete(userId, caller);
  }
}
