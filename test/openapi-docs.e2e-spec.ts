import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectWithMessage } from './support/expect-with-message.js';
import { startTestApp, type TestApp } from './support/test-app.js';

interface MediaType {
  example?: unknown;
  examples?: Record<string, unknown>;
  schema?: { $ref?: string; example?: unknown };
}
interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  parameters?: Array<{ name: string; in: string; example?: unknown; schema?: { example?: unknown } }>;
  requestBody?: { content?: Record<string, MediaType> };
  responses: Record<string, { description?: string; content?: Record<string, MediaType> }>;
}

/** Swagger documents every route, every parameter and every response with an example (issue 3, item 9). */
describe('OpenAPI document', () => {
  let t: TestApp;
  let operations: Array<[string, Operation]>;

  beforeAll(async () => {
    t = await startTestApp();
    const doc = (await (await t.request('/docs-json')).json()) as { paths: Record<string, Record<string, Operation>> };
    operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => [`${method.toUpperCase()} ${path}`, op] as [string, Operation]),
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  it('gives every operation a unique operationId, a summary and a description', () => {
    const ids = operations.map(([, op]) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [name, op] of operations) {
      expectWithMessage(op.summary, name).toBeTruthy();
      expectWithMessage(op.description, name).toBeTruthy();
    }
  });

  it('gives every path and query parameter an example', () => {
    for (const [name, op] of operations) {
      for (const p of op.parameters ?? []) {
        expectWithMessage(p.example ?? p.schema?.example, `${name} ${p.in} ${p.name}`).toBeDefined();
      }
    }
  });

  // The /v1 API; the health probes are documented by the reliability work (issue 4).
  it('gives every response of the /v1 API a description and an example, and documents its 401', () => {
    for (const [name, op] of operations.filter(([n]) => n.includes(' /v1/'))) {
      for (const [status, response] of Object.entries(op.responses)) {
        for (const [type, media] of Object.entries(response.content ?? {})) {
          const hasExample = media.example !== undefined || Object.keys(media.examples ?? {}).length > 0;
          expectWithMessage(hasExample, `${name} ${status} ${type}`).toBe(true);
        }
        expectWithMessage(response.description, `${name} ${status}`).toBeTruthy();
      }
      expectWithMessage(Object.keys(op.responses), name).toContain('401');
    }
  });

  it('documents the X-Total-Count header of the paged lists', () => {
    const lists = operations.filter(([name]) => name === 'GET /v1/user' || name === 'GET /v1/audit-events');
    expect(lists).toHaveLength(2);
    for (const [name, op] of lists) {
      expectWithMessage(op.responses['200'], name).toMatchObject({ headers: { 'X-Total-Count': expect.any(Object) } });
    }
  });
});
