import { type INestApplicationContext, Logger } from '@nestjs/common';
import { AdminBootstrapService, type BootstrapResult } from '@users-service/users';
import type { Environment } from './config/environment.js';

/**
 * Start-up step: with BOOTSTRAP_ADMIN_KEY, make sure an admin holds it; without, give an empty
 * database its first admin and return that admin's key so it can be printed once. A bootstrap key
 * an operator has since revoked (or whose admin was deleted) stays revoked: one warning, and the
 * service starts. Otherwise it warns when no admin is live (all deleted), saying how to make one.
 */
export async function runAdminBootstrap(app: INestApplicationContext, env: Environment): Promise<BootstrapResult> {
  const bootstrap = app.get(AdminBootstrapService);
  const result = env.BOOTSTRAP_ADMIN_KEY
    ? await bootstrap.ensureAdminKey(env.BOOTSTRAP_ADMIN_KEY, env.BOOTSTRAP_ADMIN_EMAIL)
    : await bootstrap.ensureFirstAdmin(env.BOOTSTRAP_ADMIN_EMAIL);
  if (result.outcome === 'key-unusable') {
    new Logger('AdminBootstrap').warn(BOOTSTRAP_KEY_UNUSABLE);
  } else if (!(await bootstrap.liveAdminExists())) {
    new Logger('AdminBootstrap').warn(
      'No live admin exists, so nobody can create users. To make one, set BOOTSTRAP_ADMIN_KEY to a new key ' +
        '(ak_ and 32 to 64 letters or digits) and BOOTSTRAP_ADMIN_EMAIL to its e-mail address, and restart.',
    );
  }
  return result;
}

/** The start-up warning when BOOTSTRAP_ADMIN_KEY was rotated away (revoked, expired, or its admin deleted). */
export const BOOTSTRAP_KEY_UNUSABLE =
  'BOOTSTRAP_ADMIN_KEY is revoked or expired, or its admin was deleted or is no longer an admin; it stays unusable ' +
  'and starting goes on without it. Remove BOOTSTRAP_ADMIN_KEY from the environment (or set a new key to have ' +
  'an admin given it on the next start).';
