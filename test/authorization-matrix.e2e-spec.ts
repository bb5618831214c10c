import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectWithMessage } from './support/expect-with-message.js';
import type { MadeUser } from '@users-service/users/testing';
import { startTestApp, type TestApp } from './support/test-app.js';

interface Operation {
  operationId?: string;
  security?: unknown[];
  responses?: Record<string, unknown>;
  parameters?: Array<{ name: string; in: string; schema?: { type?: string } }>;
}
type OpenApi = { paths: Record<string, Record<string, Operation>> };

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** Bodies that pass validation, so that a 403/404 is the guard's answer, not the pipe's. */
const VALID_BODIES: Record<string, unknown> = {
  createUser: { email: 'mallory-created@example.com' },
  updateProfile: { first_name: 'Mallory', username: 'mallory' },
  createApiKey: { name: 'mallory' },
};

/**
 * Every route of the OpenAPI document that needs an API key, called by an ordinary member
 * ("mallory") against another user ("victim"), live and deleted. A new route is in the matrix the
 * moment it is in the document; a new path parameter fails the test until it is mapped here.
 */
describe('Authorization matrix over the OpenAPI document', () => {
  let t: TestApp;
  let mallory: MadeUser;
  let operations: Array<{ method: string; path: string; op: Operation }>;

  beforeAll(async () => {
    t = await startTestApp();
    mallory = await t.users.create();
    await t.users.addApiKey(mallory.id); // so that mallory revoking her own key is not the "last key" case
    const doc = (await (await t.request('/docs-json')).json()) as OpenApi;
    operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method, op]) => METHODS.includes(method) && (op.security?.length ?? 0) > 0)
        .map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Everything of a user that a route could change. */
  const victimState = async (id: string) => ({
    user: await t.db.query('SELECT * FROM users WHERE id = $1', [id]),
    keys: await t.db.query(
      'SELECT id, user_id, key_hash, prefix, name, created_at, expires_at, revoked_at, revoked_reason FROM api_keys WHERE user_id = $1 ORDER BY id',
      [id],
    ),
    audit: await t.db.query('SELECT * FROM audit_events WHERE target_user_id = $1 ORDER BY id', [id]),
  });

  it('covers the user-scoped routes this service is known to have', () => {
    const keys = operations.map((o) => `${o.method} ${o.path}`);
    expect(keys).toEqual(
      expect.arrayContaining([
        'GET /v1/user/me',
        'GET /v1/user/profile',
        'PATCH /v1/user/profile',
        'GET /v1/user',
        'POST /v1/user',
        'GET /v1/user/{user_id}',
        'DELETE /v1/user/{user_id}',
        'POST /v1/user/{user_id}/restore',
        'POST /v1/user/api-keys',
        'GET /v1/user/api-keys',
        'DELETE /v1/user/api-keys/{key_id}',
        'GET /v1/audit-events',
      ]),
    );
  });

  for (const victimKind of ['live', 'deleted'] as const) {
    it(`another member's key never reads or changes a ${victimKind} victim's data`, async () => {
      const victim = await t.users.create({ username: `victim.${victimKind}` });
      const victimKey = await t.users.addApiKey(victim.id);
      if (victimKind === 'deleted') await t.users.softDelete(victim.id);
      const values: Record<string, string> = { user_id: victim.id, key_id: victimKey.id };
      const secrets = [victim.id, victim.email, victimKey.id, victim.apiKeyId];
      const checked: string[] = [];

      for (const { method, path, op } of operations) {
        const pathParams = (op.parameters ?? []).filter((p) => p.in === 'path');
        for (const p of pathParams) {
          expectWithMessage(
            values,
            `map the path parameter {${p.name}} of ${method} ${path} in this matrix`,
          ).toHaveProperty(p.name);
        }
        const url =
          path.replace(/\{(\w+)\}/g, (_, name: string) => values[name]!) +
          // Ask for as much as possible: every boolean query flag on (e.g. include_deleted=true).
          (() => {
            const flags = (op.parameters ?? []).filter((p) => p.in === 'query' && p.schema?.type === 'boolean');
            return flags.length ? `?${flags.map((p) => `${p.name}=true`).join('&')}` : '';
          })();
        const body = method === 'GET' || method === 'DELETE' ? undefined : (VALID_BODIES[op.operationId ?? ''] ?? {});

        const before = await victimState(victim.id);
        const response = await t.request(url, {
          method,
          headers: {
            'X-API-Key': mallory.apiKey,
            ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await response.text();
        const label = `${method} ${url} answered ${response.status}: ${text.slice(0, 200)}`;

        if (pathParams.length > 0) {
          // Aimed at the victim: refused, whichever way.
          expectWithMessage([403, 404], label).toContain(response.status);
        } else if ('403' in (op.responses ?? {})) {
          // Admin-only routes say so in the document, and refuse a member.
          expectWithMessage(response.status, label).toBe(403);
        } else {
          // About the caller's own account, or admin-only: never a 5xx, never the victim's data.
          expectWithMessage(response.status, label).toBeLessThan(500);
        }
        if (response.status === 403 || response.status === 404) {
          expectWithMessage(JSON.parse(text), label).toMatchObject({
            success: false,
            error: { status: response.status },
          });
        }
        for (const secret of secrets) expectWithMessage(text, `${label} leaks ${secret}`).not.toContain(secret);
        expectWithMessage(await victimState(victim.id), `${label} changed the victim's data`).toEqual(before);
        checked.push(`${method} ${path} -> ${response.status}`);
      }
      expect(checked.length).toBe(operations.length);
      // Mallory could not touch the victim, but her own requests went through: the matrix is not vacuous.
      expect(checked).toEqual(expect.arrayContaining(['GET /v1/user/me -> 200', 'PATCH /v1/user/profile -> 200']));
      if (victimKind === 'live') {
        expect((await t.request('/v1/user/me', { headers: { 'X-API-Key': victim.apiKey } })).status).toBe(200);
      }
    });
  }
});
