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
