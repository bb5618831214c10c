import { CreateUsersApiKeysAndAuditEvents1795942005788 } from './1795942005788-CreateUsersApiKeysAndAuditEvents.js';
import { AnonymizationAndAuditFilters1795942526977 } from './1795942526977-AnonymizationAndAuditFilters.js';
import { CreateOutboxEvents1796014800000 } from './1796014800000-CreateOutboxEvents.js';

/** The migrations of the users library, oldest first. Never edit one that has been applied. */
export const USERS_MIGRATIONS = [
  CreateUsersApiKeysAndAuditEvents1795942005788,
  AnonymizationAndAuditFilters1795942526977,
  CreateOutboxEvents1796014800000,
];
export { auditLogExposure, grantRuntimeRole, USERS_RUNTIME_GRANTS } from './runtime-grants.js';
