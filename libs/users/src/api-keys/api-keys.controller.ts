import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import {
  ApiErrorResponse,
  ApiKeyLimitReachedError,
  ApiKeyNotFoundError,
  LastApiKeyError,
  type Page,
  ValidationError,
} from '@users-service/common';
import { PageQueryDto } from '../users/dto/list-users-query.dto.js';
import { PagedResponse } from '../users/dto/paged-response.decorator.js';
import type { Caller } from '../auth/caller.js';
import { ApiKeyAuth } from '../auth/api-key-auth.decorator.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { ApiKeysService } from './api-keys.service.js';
import {
  ApiKeyResponseDto,
  CreateApiKeyDto,
  CreateApiKeyResponseDto,
  RevokeApiKeyResponseDto,
} from './dto/create-api-key.dto.js';

const KEY_EXAMPLE = {
  id: 'key_0198c2a1f3e47b6c9d2e4f6a8b0c1d2e',
  name: 'laptop',
  prefix: 'ak_Q2x8mZb',
  created_at: '2025-11-15T10:30:00Z',
  last_used_at: '2025-12-22T15:30:00Z',
  expires_at: null,
  revoked_at: null,
};

/** The caller's own API keys. Every route acts on the caller's account only. */
@ApiTags('api-keys')
@ApiKeyAuth()
@Controller('v1/user/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  @ApiOperation({
    summary: 'Create an API key',
    description:
      'A new key for the caller. The secret is in this answer and nowhere else: only its hash is stored. ' +
      'An `api_key.created` audit event is appended.',
  })
  @ApiBody({ type: CreateApiKeyDto })
  @ApiCreatedResponse({
    type: CreateApiKeyResponseDto,
    description: 'The key and its secret, shown this once.',
    example: {
      success: true,
      api_key: 'ak_Q2x8mZbN4tR7vK1pL9sD3fG6hJ0wE5yU2iO8aC4n',
      key: {
        id: KEY_EXAMPLE.id,
        name: KEY_EXAMPLE.name,
        prefix: KEY_EXAMPLE.prefix,
        created_at: KEY_EXAMPLE.created_at,
        expires_at: '2030-12-31T23:59:59Z',
      },
    },
  })
  @ApiErrorResponse(
    'The body breaks a field rule or has an unknown field.',
    new ValidationError([{ field: 'expires_at', rule: 'isFuture', message: 'expires_at must be in the future' }]),
  )
  @ApiErrorResponse(
    'The caller already holds MAX_API_KEYS_PER_USER live keys (20 by default).',
    new ApiKeyLimitReachedError(20),
  )
  createApiKey(@Body() dto: CreateApiKeyDto, @CurrentUser() caller: Caller): Promise<CreateApiKeyResponseDto> {
    return this.apiKeys.createForCaller(dto, caller);
  }

  @Get()
  @ApiOperation({
    summary: 'List my API keys',
    description:
      "The caller's keys, oldest first (`created_at`, then `id`), revoked and expired ones included, as a bare " +
      'JSON array; the total across pages is in the `X-Total-Count` header. Never a secret or a hash.',
  })
  @PagedResponse(ApiKeyResponseDto, 'API keys', KEY_EXAMPLE)
  @ApiErrorResponse(
    'A query parameter breaks its rule (e.g. `limit` above 100).',
    new ValidationError([{ field: 'limit', rule: 'max', message: 'limit must not be greater than 100' }]),
  )
  listApiKeys(@Query() query: PageQueryDto, @CurrentUser() caller: Caller): Promise<Page<ApiKeyResponseDto>> {
    return this.apiKeys.listForCaller(query, caller);
  }

  @Delete(':key_id')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Revoke an API key',
    description:
      "Revokes one of the caller's keys and appends an `api_key.revoked` audit event. Refused (409 LAST_API_KEY) " +
      'when it would leave the account without a live key, e.g. revoking the key in use when it is the last one.',
  })
  @ApiParam({ name: 'key_id', description: 'The id of one of your keys.', example: KEY_EXAMPLE.id })
  @ApiOkResponse({
    type: RevokeApiKeyResponseDto,
    description: 'The key is revoked: it answers 401 from now on.',
    example: { success: true, message: 'API key revoked successfully', key_id: KEY_EXAMPLE.id },
  })
  @ApiErrorResponse('None of your keys that is not yet revoked has this id.', new ApiKeyNotFoundError())
  @ApiErrorResponse('This would leave the account without a live API key.', new LastApiKeyError())
  revokeApiKey(@Param('key_id') keyId: string, @CurrentUser() caller: Caller): Promise<RevokeApiKeyResponseDto> {
    return this.apiKeys.revokeForCaller(keyId, caller);
  }
}
