import 'reflect-metadata';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { type Environment, EnvironmentError, readEnvironment } from './config/environment.js';
import { pgliteDirectoryHolder } from '@users-service/common/pglite';
import { ShutdownState } from './health/shutdown-state.js';

/**
 * Stops the service on SIGTERM or SIGINT. SIGTERM (an orchestrator) first drains: readiness turns
 * 503 at once, and for SHUTDOWN_DRAIN_MS the service keeps accepting and answering, each answer with
 * `Connection: close` so that clients reconnect (to another replica); stopping to accept at once
 * reset the connections that clients had already opened (185 of 600 in a test). SIGINT (Ctrl-C)
 * skips the drain. Then the app closes: no new connections, the requests in flight finish, the
 * pool closes. SHUTDOWN_TIMEOUT_MS after the drain, the process is gone, finished or not.
 */
function stopOnSignals(app: NestFastifyApplication, env: Environment): void {
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    const drainMs = signal === 'SIGTERM' ? env.SHUTDOWN_DRAIN_MS : 0;
    setTimeout(() => {
      process.stderr.write(`Shutdown took longer than ${env.SHUTDOWN_TIMEOUT_MS} ms; exiting now.\n`);
      process.exit(1);
    }, drainMs + env.SHUTDOWN_TIMEOUT_MS).unref();
    if (drainMs > 0) {
      app.get(ShutdownState).draining = true;
      app.getHttpServer().prependListener('request', (_request: IncomingMessage, response: ServerResponse) => {
        response.setHeader('connection', 'close');
      });
      await new Promise((resolve) => setTimeout(resolve, drainMs));
    }
    await app.close();
    process.stdout.write('Users service stopped.\n');
    process.exit(0);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    // A second signal while stopping ends the process at once.
    if (stopping) process.exit(1);
    stopping = true;
    stop(signal).catch((error: unknown) => {
      process.stderr.write(`Shutdown failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    });
  };
  process.on('SIGTERM', onSignal).on('SIGINT', onSignal);
}

/** Raised before start-up when another process already serves from this PGlite directory. */
class DataDirectoryInUseError extends Error {}

async function main(): Promise<void> {
  const env = readEnvironment();
  const holder =
    env.DATABASE_URL || env.PGLITE_DIR.startsWith('memory://') ? undefined : pgliteDirectoryHolder(env.PGLITE_DIR);
  if (holder !== undefined) {
    throw new DataDirectoryInUseError(
      `The data directory ${resolve(env.PGLITE_DIR)} is in use by another users service (process ${holder}); stop it first, or set PGLITE_DIR or DATABASE_URL.`,
    );
  }
  // Loaded only now, so that the check above answers before Nest, Fastify and TypeORM are read.
  const [{ createApp }, { runAdminBootstrap }] = await Promise.all([
    import('./app.factory.js'),
    import('./admin-bootstrap.js'),
  ]);
  const app = await createApp(env);
  stopOnSignals(app, env);
  const bootstrap = await runAdminBootstrap(app, env);
  await app.listen({ port: env.PORT, host: env.HOST });

  const shownHost = env.HOST === '0.0.0.0' || env.HOST === '::' ? 'localhost' : env.HOST;
  const base = `http://${shownHost}:${env.PORT}`;
  const lines = [
    `Users service listening on ${base}`,
    `Database: ${
      env.MIGRATIONS_DATABASE_URL
        ? 'PostgreSQL (DATABASE_URL; migrations as the schema owner of MIGRATIONS_DATABASE_URL)'
        : env.DATABASE_URL
          ? 'PostgreSQL (DATABASE_URL)'
          : `embedded PGlite in ${env.PGLITE_DIR}`
    }`,
    env.DOCS_ENABLED ? `Swagger UI: ${base}/docs   OpenAPI: ${base}/docs-json` : 'Swagger UI: off (DOCS_ENABLED=false)',
  ];
  if (bootstrap.outcome === 'created' && bootstrap.secret) {
    // Printed once, to the terminal, on purpose: this is how a newcomer gets a first key.
    // It is not written through the logger, and it is never shown again (only its hash is stored).
    lines.push(
      '',
      `First start: created admin ${bootstrap.email} (${bootstrap.userId}).`,
      `Admin API key (shown this once, save it now): ${bootstrap.secret}`,
      `Try: curl -s -H "X-API-Key: ${bootstrap.secret}" -X POST ${base}/v1/user -H 'Content-Type: application/json' -d '{"email":"someone@example.com"}'`,
    );
  }
  process.stdout.write(`\n${lines.join('\n')}\n\n`);
}

main().catch((error: unknown) => {
  if (error instanceof EnvironmentError) {
    process.stderr.write(`${error.message}\nSee .env.example for every variable and its default.\n`);
  } else if (error instanceof DataDirectoryInUseError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(
      `Start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
});
