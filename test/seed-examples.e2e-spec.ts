import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The seed's own three request examples (curl, Python requests, JavaScript fetch), taken verbatim
 * from ../shared/seed/delete-user.md and pointed at the running service: each must print the 200 body.
 */
// Asynchronous on purpose: the service runs in this process and must keep serving meanwhile.
const run = promisify(execFile);
const seed = readFileSync(new URL('../../shared/seed/delete-user.md', import.meta.url), 'utf8');
const example = (language: string): string => {
  const match = new RegExp('```' + language + '\\n([\\s\\S]*?)```').exec(seed);
  if (!match?.[1]) throw new Error(`no ${language} example in the seed`);
  return match[1];
};

/** A Python 3 that has `requests`, or undefined. */
function pythonWithRequests(): string | undefined {
  return ['python3', '/usr/bin/python3'].find(
    (python) => spawnSync(python, ['-c', 'import requests'], { stdio: 'ignore' }).status === 0,
  );
}

describe("the seed's examples against the running service", () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const pointAt = (code: string, userId: string) =>
    code.replaceAll('https://api.aitronos.com', t.baseUrl).replaceAll('usr_abc123', userId);

  const expectDeleted = async (userId: string) => {
    const [row] = await t.db.query('SELECT is_deleted FROM users WHERE id = $1', [userId]);
    expect(row).toEqual({ is_deleted: true });
  };

  it('curl prints the 200 body', async () => {
    const user = await t.users.create();
    const { stdout: out } = await run('bash', ['-c', pointAt(example('bash'), user.id)], {
      env: { ...process.env, FREDDY_API_KEY: user.apiKey },
      encoding: 'utf8',
    });
    expect(JSON.parse(out)).toEqual({ success: true, message: 'User account deleted successfully', user_id: user.id });
    await expectDeleted(user.id);
  });

  it('JavaScript fetch prints the 200 body', async () => {
    const user = await t.users.create();
    const { stdout: out } = await run(
      process.execPath,
      ['--input-type=module', '-e', pointAt(example('javascript'), user.id)],
      {
        env: { ...process.env, FREDDY_API_KEY: user.apiKey },
        encoding: 'utf8',
      },
    );
    expect(out.trim()).toBe(
      `{\n  success: true,\n  message: 'User account deleted successfully',\n  user_id: '${user.id}'\n}`,
    );
    await expectDeleted(user.id);
  });

  const python = pythonWithRequests();
  if (!python && process.env.CI !== 'true') {
    console.warn('SKIPPED: the Python example needs python3 with `requests` (apt-get install python3-requests).');
  }
  it.skipIf(!python && process.env.CI !== 'true')('Python requests prints the 200 body', async () => {
    if (!python) throw new Error('CI needs python3 with requests (.ci/run installs python3-requests)');
    const user = await t.users.create();
    const { stdout: out } = await run(python, ['-c', pointAt(example('python'), user.id)], {
      env: { ...process.env, FREDDY_API_KEY: user.apiKey },
      encoding: 'utf8',
    });
    expect(out.trim()).toBe(
      `{'success': True, 'message': 'User account deleted successfully', 'user_id': '${user.id}'}`,
    );
    await expectDeleted(user.id);
  });
});
