import 'reflect-metadata';
import { NotesEnvironmentError, readNotesEnvironment } from './config/notes-environment.js';
import { createNotesApp } from './notes-app.factory.js';

async function main(): Promise<void> {
  const env = readNotesEnvironment();
  const app = await createNotesApp(env);
  await app.listen({ port: env.PORT, host: env.HOST });
  const database = env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${env.PGLITE_DIR}`;
  process.stdout.write(
    `\nNotes listening on http://${env.HOST}:${env.PORT} (database: ${database}; users events from ${env.NATS_URL} as consumer ${env.NOTES_CONSUMER_NAME})\n\n`,
  );
}

main().catch((error: unknown) => {
  // One line, no stack, for a configuration mistake; the error itself otherwise.
  if (error instanceof NotesEnvironmentError) process.stderr.write(`notes: ${error.message.replace(/\n/g, '; ')}\n`);
  else process.stderr.write(`notes: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
