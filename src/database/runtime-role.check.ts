import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { auditLogExposure } from '@users-service/users/migrations';
import type { DataSource } from 'typeorm';

/**
 * With two roles (MIGRATIONS_DATABASE_URL set), warns once at start-up when the runtime role could
 * change the audit log after all: it is a superuser, owns the tables, or holds UPDATE, DELETE or
 * TRUNCATE on audit_events (granted by hand, with MIGRATIONS_RUN=false so that the service did not
 * apply its grants). The service starts anyway: nothing it does needs those privileges.
 */
export class RuntimeRoleCheck implements OnApplicationBootstrap {
  constructor(
    private readonly db: DataSource,
    private readonly role: string,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const exposure = await auditLogExposure(this.db);
    if (exposure !== null) new Logger('Database').warn(runtimeRoleWarning(this.role, exposure));
  }
}

function runtimeRoleWarning(role: string, exposure: string): string {
  return (
    `The runtime role "${role}" (DATABASE_URL) ${exposure}, so the service's own connection could rewrite or ` +
    'empty the audit log. Use a role that owns nothing and holds only the grants of docs/deployment.md.'
  );
}
