import 'reflect-metadata';
import { createApp } from './app.factory.js';
import { runAdminBootstrap } from './admin-bootstrap.js';
import { EnvironmentError, readEnvironment } from './config/environment.js';

async function main(): Promise<void> {
  const env = readEnvironment();
  const app = await createApp(env);
  // Nest's shutdown hooks (enableShutdownHooks) stop accepting, let the requests in flight finish,
  // then close the pool. This bounds the whole of it: whatever still hangs, the process is gone
  // SHUTDOWN_TIMEOUT_MS after the signal.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      setTimeout(() => {
        process.stderr.write(`Shutdown took longer than ${env.SHUTDOWN_TIMEOUT_MS} ms; exiting now.\n`);
        process.exit(1);
      }, env.SHUTDOWN_TIMEOUT_MS).unref();
    });
  }
  const bootstrap = await runAdminBootstrap(app, env);
  await app.listen({ port: env.PORT, host: env.HOST });

  const shownHost = env.HOST === '0.0.0.0' || env.HOST === '::' ? 'localhost' : env.HOST;
  const base = `http://${shownHost}:${env.PORT}`;
  const lines = [
    `Users service listening on ${base}`,
    `Database: ${env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${env.PGLITE_DIR}`}`,
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
  } else {
    process.stderr.write(
      `Start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
});
