import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DELETE_USER_EXAMPLE_ANSWERS as CONTRACT } from './support/delete-user-contract.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('the delete operation in the OpenAPI document, and Swagger UI', () => {
  let t: TestApp;
  let doc: any;

  beforeAll(async () => {
    t = await startTestApp();
    const response = await t.request('/docs-json');
    expect(response.status).toBe(200);
    doc = await response.json();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('declares the X-API-Key security scheme', () => {
    expect(doc.components.securitySchemes.api_key).toEqual({
      type: 'apiKey',
      in: 'header',
      name: 'X-API-Key',
      description: expect.any(String),
    });
  });

  it("documents DELETE /v1/user/{user_id} with the contract's 200, 403 and 404 bodies and both 401s", () => {
    const op = doc.paths['/v1/user/{user_id}'].delete;
    expect(op.operationId).toBe('deleteUser');
    expect(op.security).toEqual([{ api_key: [] }]);
    expect(op.parameters).toEqual([
      {
        name: 'user_id',
        in: 'path',
        required: true,
        description: "The unique identifier of the user to delete. Must match the authenticated user's ID.",
        schema: { type: 'string', example: 'usr_4ab3bd9533df40318468ed9cc0d8c391' },
      },
    ]);
    // The contract's statuses, plus those every route can answer (a request head over 16 KiB or a URL
    // that cannot be decoded, rate limit, crash, database down), plus the refusal to delete the last
    // live admin.
    expect(Object.keys(op.responses).sort()).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '408',
      '409',
      '429',
      '500',
      '503',
    ]);
    expect(Object.keys(op.responses['400'].content['application/json'].examples)).toEqual(['BAD_REQUEST']);
    expect(Object.keys(op.responses['409'].content['application/json'].examples)).toEqual(['LAST_ADMIN']);
    expect(op.responses['200'].content['application/json'].example).toEqual(CONTRACT[200]);
    expect(op.responses['403'].content['application/json'].examples.INSUFFICIENT_PERMISSIONS.value).toEqual(
      CONTRACT[403],
    );
    expect(op.responses['404'].content['application/json'].examples.USER_NOT_FOUND.value).toEqual(CONTRACT[404]);
    expect(Object.keys(op.responses['401'].content['application/json'].examples).sort()).toEqual([
      'AUTHENTICATION_REQUIRED',
      'INVALID_API_KEY',
    ]);
  });

  it('serves Swagger UI at /docs', async () => {
    const response = await t.request('/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(await response.text()).toContain('swagger-ui');
  });

  it('can be turned off with DOCS_ENABLED=false', async () => {
    const off = await startTestApp({ DOCS_ENABLED: 'false' });
    try {
      expect((await off.request('/docs')).status).toBe(404);
      expect((await off.request('/docs-json')).status).toBe(404);
    } finally {
      await off.close();
    }
  });
});
