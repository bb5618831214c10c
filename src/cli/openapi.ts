import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createApp } from '../app.factory.js';
import { validateEnvironment } from '../config/environment.js';
import { buildOpenApiDocument, renderOpenApiDocument } from '../swagger.js';

/**
 * `npm run openapi [file]`: writes the OpenAPI document to openapi.json (or the file given). The
 * app is built on an in-memory database and never listens; the document does not depend on this
 * machine's configuration, so nothing of the environment is read, and nothing secret is printed.
 */
async function main(): Promise<void> {
  const target = resolve(process.argv[2] ?? 'openapi.json');
  process.stdout.write('Building the app on an in-memory database...\n');
  const app = await createApp(validateEnvironment({ PGLITE_DIR: 'memory://', LOG_LEVEL: 'silent' }));
  try {
    const document = buildOpenApiDocument(app);
    writeFileSync(target, renderOpenApiDocument(document));
    const operations = Object.values(document.paths).flatMap((item) => Object.keys(item));
    process.stdout.write(`Wrote ${target} (${operations.length} operations).\n`);
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`openapi: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
