import { describe, expect, it } from '@jest/globals';
import { expectWithMessage } from './support/expect-with-message.js';
import { readFileSync } from 'node:fs';
import { engine } from './support/test-app.js';

const readme = readFileSync('README.md', 'utf8');

/** The README's rows of a table whose first column is code: the set of those first cells. */
function firstCells(markdown: string): Set<string> {
  return new Set([...markdown.matchAll(/^\| `([^`]+)`/gm)].map((m) => m[1] ?? ''));
}

/**
 * The README is what a newcomer reads first: it must not fall behind the code. Its configuration
 * table lists every variable of .env.example, and its API table every operation of openapi.json.
 * Files only, no engine: runs once, in the PGlite project.
 */
(engine() !== 'pglite' ? describe.skip : describe)('README.md', () => {
  it('lists every variable of .env.example in its configuration table', () => {
    const variables = [...readFileSync('.env.example', 'utf8').matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map(
      (m) => m[1] ?? '',
    );
    expect(variables.length).toBeGreaterThan(0);
    const rows = firstCells(readme);
    const missing = variables.filter((variable) => !rows.has(variable));
    expectWithMessage(missing, 'add a row to the configuration table of README.md for each').toEqual([]);
  });

  it('uses the same variable names as the runnable examples, and ids of the real form', () => {
    const shellVariables = (text: string) =>
      new Set([...text.matchAll(/\$\{?([A-Z][A-Z0-9_]+)/g)].map((m) => m[1] ?? '').filter((v) => v !== 'PATH'));
    const quickStart = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '').join('\n');
    const inReadme = shellVariables(quickStart);
    for (const example of ['examples/delete-user.sh', 'examples/delete-user.mjs', 'examples/delete_user.py']) {
      const text = readFileSync(example, 'utf8');
      const used = [...text.matchAll(/\b(USERS_API_URL|USER_ID|USER_KEY|ADMIN_KEY|[A-Z]+_(?:URL|ID|KEY))\b/g)].map(
        (m) => m[1] ?? '',
      );
      expectWithMessage(
        [...new Set(used)].filter((variable) => !inReadme.has(variable)),
        `${example} uses a variable the README's quick start does not`,
      ).toEqual([]);
    }
    const ids = [...readme.matchAll(/"(usr|req)_([^".]+)"/g)].map((m) => `${m[1]}_${m[2]}`);
    expect(ids.filter((id) => !/^(usr_[0-9a-f]{32}|req_[0-9a-f]{24})$/.test(id))).toEqual([]);
  });

  it('lists every operation of openapi.json in its API table', () => {
    const document = JSON.parse(readFileSync('openapi.json', 'utf8')) as { paths: Record<string, object> };
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const rows = firstCells(readme);
    const missing = operations.filter((operation) => !rows.has(operation));
    expectWithMessage(missing, 'add a row to the API table of README.md for each').toEqual([]);
  });
});
