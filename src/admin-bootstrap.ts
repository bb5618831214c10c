import type { INestApplicationContext } from '@nestjs/common';
import { AdminBootstrapService, type BootstrapResult } from '@users-service/users';
import type { Environment } from './config/environment.js';

/**
 * Start-up step: with BOOTSTRAP_ADMIN_KEY, make sure an admin holds it; without, give an empty
 * database its first admin and return that admin's key so it can be printed once.
 */
export function runAdminBootstrap(app: INestApplicationContext, env: Environment): Promise<BootstrapResult> {
  const bootstrap = app.get(AdminBootstrapService);
  return env.BOOTSTRAP_ADMIN_KEY
    ? bootstrap.ensureAdminKey(env.BOOTSTRAP_ADMIN_KEY, env.BOOTSTRAP_ADMIN_EMAIL)
    : bootstrap.ensureFirstAdmin(env.BOOTSTRAP_ADMIN_EMAIL);
}
