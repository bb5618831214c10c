import { ApiKeyEntity } from './api-keys/api-key.entity.js';
import { AuditEventEntity } from './audit/audit-event.entity.js';
import { USERS_MIGRATIONS } from './migrations/index.js';
import { OUTBOX_ENTITIES } from './outbox/index.js';
import { UserEntity } from './users/user.entity.js';

/** Every entity of the users library, for a DataSource's `entities`. */
export const USERS_ENTITIES = [UserEntity, ApiKeyEntity, AuditEventEntity, ...OUTBOX_ENTITIES];
export { USERS_MIGRATIONS };

export { AdminBootstrapService, BootstrapError, type BootstrapResult } from './users/admin-bootstrap.service.js';
export { API_KEY_PATTERN, generateApiKeySecret, hashApiKeySecret } from './api-keys/api-key-secret.js';
export { ApiKeyEntity } from './api-keys/api-key.entity.js';
export { ApiKeysRepository, type LiveKey } from './api-keys/api-keys.repository.js';
export { ApiKeysService } from './api-keys/api-keys.service.js';
export {
  ApiKeyResponseDto,
  CreateApiKeyDto,
  CreateApiKeyResponseDto,
  RevokeApiKeyResponseDto,
} from './api-keys/dto/create-api-key.dto.js';
export { AuditEventEntity } from './audit/audit-event.entity.js';
export { AuditEventsService } from './audit/audit-events.service.js';
export { AuditEventResponseDto, ListAuditEventsQueryDto } from './audit/dto/audit-event.dto.js';
export { type Caller, systemCaller } from './auth/caller.js';
export { AdminOnly } from './auth/admin-only.decorator.js';
export { API_KEY_SECURITY, ApiKeyAuth } from './auth/api-key-auth.decorator.js';
export { CurrentUser } from './auth/current-user.decorator.js';
export { OwnAccountOnly, OwnAccountOrAdmin } from './auth/own-account-only.decorator.js';
export { Public } from './auth/public.decorator.js';
export { CreateUserDto, CreateUserResponseDto } from './users/dto/create-user.dto.js';
export { DeleteUserResponseDto } from './users/dto/delete-user-response.dto.js';
export { GetUserQueryDto, ListUsersQueryDto } from './users/dto/list-users-query.dto.js';
export { RestoreUserResponseDto } from './users/dto/restore-user-response.dto.js';
export { UpdateProfileDto, UpdateProfileResponseDto } from './users/dto/update-profile.dto.js';
export {
  AdminUserResponseDto,
  toAdminUserResponse,
  toUserResponse,
  UserResponseDto,
} from './users/dto/user-response.dto.js';
export { AdminGuard } from './auth/admin.guard.js';
export { API_KEY_HEADER, ApiKeyGuard } from './auth/api-key.guard.js';
export { OwnershipGuard } from './auth/ownership.guard.js';
export { USER_ROLES, UserEntity, type UserRole } from './users/user.entity.js';
export { USERS_DATA_SOURCE } from './database/users-data-source.js';
export { UsersModule } from './users/users.module.js';
export {
  USERS_MODULE_OPTIONS,
  type UsersModuleExtras,
  type UsersModuleOptions,
} from './users/users.module-definition.js';
export { UsersRepository } from './users/users.repository.js';
export { UsersService } from './users/users.service.js';
export {
  type NewUserEvent,
  OutboxEventEntity,
  OutboxRelay,
  OutboxRelayModule,
  type OutboxRelayOptions,
  type OutboxRelayStatus,
  recordEvent,
  recordEvents,
} from './outbox/index.js';
