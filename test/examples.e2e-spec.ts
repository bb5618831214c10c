import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { DELETE_USER_EXAMPLE_ANSWERS as CONTRACT } from './support/delete-user-contract.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The runnable examples of examples/ (curl, Python requests, JavaScript fetch), run as a user would
 * run them, against the running service: each deletes its own account and prints the contract's 200
 * body, and prints the contract's 403 envelope for someone else's account.
 */
// Asynchronous on purpose: the service runs in this process and must keep serving meanwhile.
const run = promisify(execFile);

/** A Python 3 that has `requests`, or undefined. */
function pythonWithRequests(): string | undefined {
  return ['python3', '/usr/bin/python3'].find(
    (python) => spawnSync(python, ['-c', 'import requests'], { stdio: 'ignore' }).status === 0,
  );
}

const python = pythonWithRequests();
if (!python && process.env.CI !== 'true') {
  console.warn('SKIPPED: examples/delete_user.py needs python3 with `requests` (apt-get install python3-requests).');
}

/** How each example is run (from the repository root, as examples/README.md shows). */
const EXAMPLES: Array<{ name: string; command: () => [string, string[]]; skip?: boolean }> = [
  { name: 'delete-user.sh (curl)', command: () => ['bash', ['examples/delete-user.sh']] },
  {
    name: 'delete_user.py (Python requests)',
    command: () => [python ?? 'python3', ['examples/delete_user.py']],
    // In CI nothing is skipped: .ci/run installs python3-requests.
    skip: !python && process.env.CI !== 'true',
  },
  { name: 'delete-user.mjs (JavaScript fetch)', command: () => [process.execPath, ['examples/delete-user.mjs']] },
];

describe('examples/ against the running service', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Runs an example with the README's variables; answers its printed JSON body and HTTP status. */
  const runExample = async (command: [string, string[]], userId: string, userKey: string) => {
    const [file, args] = command;
    const { stdout } = await run(file, args, {
      env: { PATH: process.env.PATH, USERS_API_URL: t.baseUrl, USER_ID: userId, USER_KEY: userKey },
      encoding: 'utf8',
    });
    const lines = stdout.trimEnd().split('\n');
    const status = /^HTTP (\d{3})$/.exec(lines.pop() ?? '')?.[1];
    return { status: Number(status), body: JSON.parse(lines.join('\n')) as Record<string, any> };
  };

  const isDeleted = async (userId: string) => {
    const [row] = await t.db.query('SELECT is_deleted FROM users WHERE id = $1', [userId]);
    return (row as { is_deleted: boolean }).is_deleted;
  };

  for (const example of EXAMPLES) {
    (example.skip ? it.skip : it)(`${example.name}: 200 for your own account, 403 for another`, async () => {
      const user = await t.users.create();
      const other = await t.users.create();

      const forbidden = await runExample(example.command(), other.id, user.apiKey);
      expect(forbidden.status).toBe(403);
      expect(forbidden.body).toEqual({
        ...CONTRACT[403],
        error: { ...CONTRACT[403].error, trace_id: expect.any(String), timestamp: expect.any(String) },
      });
      expect(await isDeleted(other.id)).toBe(false);

      const deleted = await runExample(example.command(), user.id, user.apiKey);
      expect(deleted).toEqual({ status: 200, body: { ...CONTRACT[200], user_id: user.id } });
      expect(await isDeleted(user.id)).toBe(true);
    });
  }
});
