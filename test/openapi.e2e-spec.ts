import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectWithMessage } from './support/expect-with-message.js';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import type { OpenAPIObject } from '@nestjs/swagger';
import { buildOpenApiDocument, renderOpenApiDocument } from '../src/swagger.js';
import { engine, startTestApp, type TestApp } from './support/test-app.js';

const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'options', 'head', 'trace'] as const;
const STALE =
  'openapi.json is stale: run `npm run openapi` and commit openapi.json and clients/typescript/schema.d.ts.';

interface Operation {
  method: string;
  path: string;
  operation: Record<string, any>;
}

function operationsOf(document: OpenAPIObject): Operation[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => ({ method, path, operation: item[method] as any })),
  );
}

/**
 * The OpenAPI document: the committed openapi.json is what the code produces, and every operation,
 * today's and those added later, keeps the project's promises to its readers. The document does not
 * depend on the engine, so this runs on PGlite only.
 */
(engine() !== 'pglite' ? describe.skip : describe)('the OpenAPI document', () => {
  let t: TestApp;
  let document: OpenAPIObject;

  beforeAll(async () => {
    t = await startTestApp();
    document = buildOpenApiDocument(t.app);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("carries the package's version, and ids in examples have the form the service gives them", () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(document.info.version).toBe(pkg.version);
    const ID_FORMS: Record<string, RegExp> = {
      usr: /^usr_[0-9a-f]{32}$/,
      key: /^key_[0-9a-f]{32}$/,
      req: /^req_[0-9a-f]{24}$/,
      // A key, or the display prefix of one (its first 10 characters).
      ak: /^ak_[A-Za-z0-9]{7,64}$/,
    };
    const odd: string[] = [];
    JSON.stringify(document, (_key, value: unknown) => {
      // Field and parameter names (`key_id`) are names, not ids.
      const isId = typeof value === 'string' && !/^[a-z_]+$/.test(value);
      const prefix = isId ? /^(usr|key|req|ak)_/.exec(value)?.[1] : undefined;
      if (prefix && !ID_FORMS[prefix]!.test(value as string)) odd.push(value as string);
      return value;
    });
    expect([...new Set(odd)]).toEqual([]);
  });

  it('is what openapi.json at the repository root holds', () => {
    expectWithMessage(readFileSync('openapi.json', 'utf8'), STALE).toBe(renderOpenApiDocument(document));
  });

  it('is what /docs-json serves', async () => {
    const response = await t.request('/docs-json');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(JSON.parse(renderOpenApiDocument(document)));
  });

  it('gives every operation a unique operationId, a summary, a description, tags and its security', () => {
    const schemes = Object.keys(document.components?.securitySchemes ?? {});
    const operations = operationsOf(document);
    expect(operations.length).toBeGreaterThan(0);
    for (const { method, path, operation } of operations) {
      const where = `${method.toUpperCase()} ${path}`;
      expectWithMessage(operation.operationId, `${where}: operationId`).toMatch(/^[a-z][A-Za-z0-9]+$/);
      expectWithMessage(operation.summary?.trim(), `${where}: summary (@ApiOperation)`).toBeTruthy();
      expectWithMessage(operation.description?.trim(), `${where}: description (@ApiOperation)`).toBeTruthy();
      expectWithMessage(operation.tags?.length, `${where}: tags (@ApiTags)`).toBeGreaterThan(0);
      // Explicit either way: [] for a @Public() route, the API key scheme (@ApiKeyAuth) otherwise.
      expectWithMessage(Array.isArray(operation.security), `${where}: security (@ApiKeyAuth or @Public)`).toBe(true);
      for (const requirement of operation.security as Record<string, unknown>[]) {
        for (const name of Object.keys(requirement))
          expectWithMessage(schemes, `${where}: security scheme ${name}`).toContain(name);
      }
      if (operation.security.length > 0) {
        expectWithMessage(Object.keys(operation.responses), `${where}: its 401 (@ApiKeyAuth)`).toContain('401');
      }
    }
    const ids = operations.map(({ operation }) => operation.operationId as string);
    expectWithMessage(new Set(ids).size, `operationIds must be unique: ${ids.join(', ')}`).toBe(ids.length);
  });

  it('gives every documented response a description and an example', () => {
    for (const { method, path, operation } of operationsOf(document)) {
      for (const [status, response] of Object.entries(operation.responses as Record<string, any>)) {
        const where = `${method.toUpperCase()} ${path} ${status}`;
        expectWithMessage(response.description?.trim(), `${where}: description`).toBeTruthy();
        if (status === '204' || status === '304') continue;
        const media = Object.entries((response.content ?? {}) as Record<string, any>);
        expectWithMessage(media.length, `${where}: content`).toBeGreaterThan(0);
        for (const [type, content] of media) {
          const examples = content.example !== undefined ? [content.example] : Object.values(content.examples ?? {});
          expectWithMessage(
            examples.length,
            `${where} ${type}: an example (example: or ApiErrorResponse)`,
          ).toBeGreaterThan(0);
        }
      }
    }
  });

  it('matches the committed TypeScript client types (clients/typescript/schema.d.ts)', async () => {
    // The very command `npm run client:generate` runs, in its check mode.
    const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
    const [bin = '', ...args] = (scripts['client:generate'] ?? '').split(/\s+/);
    const check = promisify(execFile)(`node_modules/.bin/${bin}`, [...args, '--check'], {
      env: { ...process.env, NO_COLOR: '1' },
    });
    await expectWithMessage(
      check,
      'run `npm run client:generate` and commit clients/typescript/schema.d.ts',
    ).resolves.toBeDefined();
  });
});
