import { Body, Controller, Delete, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponse, EmailAlreadyExistsError, UserNotFoundError, ValidationError } from '@app/common';
import type { Caller } from './caller.js';
import { AdminOnly } from './decorators/admin-only.decorator.js';
import { ApiKeyAuth } from './decorators/api-key-auth.decorator.js';
import { CurrentUser } from './decorators/current-user.decorator.js';
import { OwnAccountOnly } from './decorators/own-account-only.decorator.js';
import { CreateUserDto, CreateUserResponseDto } from './dto/create-user.dto.js';
import { DeleteUserResponseDto } from './dto/delete-user-response.dto.js';
import { USER_EXAMPLE } from './dto/user.examples.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@ApiKeyAuth()
@Controller('v1/user')
export class UsersController {
  constructor(private readonly users: UsersService) {}

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
      'will result in a 403 error.',
  })
  @ApiParam({
    name: 'user_id',
    description: "The unique identifier of the user to delete. Must match the authenticated user's ID.",
    example: 'usr_abc123',
  })
  @ApiOkResponse({
    type: DeleteUserResponseDto,
    description: 'The account is soft-deleted and all its API keys are revoked.',
    example: { success: true, message: 'User account deleted successfully', user_id: 'usr_abc123' },
  })
  @ApiErrorResponse('The user is already deleted (for instance by a concurrent request).', new UserNotFoundError())
  deleteUser(@Param('user_id') userId: string, @CurrentUser() caller: Caller): Promise<DeleteUserResponseDto> {
    return this.users.softDelete(userId, caller);
  }
}
