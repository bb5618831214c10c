import 'reflect-metadata';
import { EnvironmentError, readEnvironment } from '../config/environment.js';
import { runRetentionCommand } from '../retention/retention-command.js';

/** `npm run retention:run`: one retention run now, with progress on stdout (docs/lifecycle.md). */
async function main(): Promise<void> {
  await runRetentionCommand(readEnvironment(), (line) => process.stdout.write(`${line}\n`));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      error instanceof EnvironmentError
        ? `${error.message}\nSee .env.example for every variable and its default.\n`
        : `Retention run failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
