import { applyDecorators } from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';
import { ApiErrorResponse, AuthenticationRequiredError, InvalidApiKeyError } from '@users-service/common';

/** The name of the OpenAPI security scheme for `X-API-Key`. */
export const API_KEY_SECURITY = 'api_key';

/**
 * Documents what the global ApiKeyGuard enforces on a route: the `X-API-Key` security scheme and
 * its two 401 answers.
 */
export function ApiKeyAuth(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiSecurity(API_KEY_SECURITY),
    ApiErrorResponse(
      'No API key (AUTHENTICATION_REQUIRED), or a malformed, unknown, revoked or expired key, or the key of a deleted user (INVALID_API_KEY).',
      new AuthenticationRequiredError(),
      new InvalidApiKeyError(),
    ),
  );
}
