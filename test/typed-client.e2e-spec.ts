import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createUsersClient } from '../clients/typescript/index.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The generated TypeScript client (openapi-typescript types, openapi-fetch) against the running
 * service. Every path, body and field below is checked by the compiler against openapi.json, so a
 * breaking change of the contract fails `npm run typecheck` here, and a wrong document fails the run.
 */
describe('the typed client (clients/typescript)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates a user as an admin, is refused 403 for another id, and deletes its own account', async () => {
    const admin = createUsersClient(t.baseUrl, (await t.users.admin()).apiKey);
    const bystander = await t.users.create();

    const created = await admin.POST('/v1/user', { body: { email: 'Typed.Client@Example.com' } });
    expect(created.response.status).toBe(201);
    if (!created.data) throw new Error(`no 201 body: ${JSON.stringify(created.error)}`);
    const { user, api_key: apiKey } = created.data;
    expect(user).toMatchObject({ email: 'typed.client@example.com', global_role_id: 'role_member', is_active: true });
    expect(user.id).toMatch(/^usr_[0-9a-f]{32}$/);
    expect(apiKey).toMatch(/^ak_[A-Za-z0-9]{40}$/);

    const client = createUsersClient(t.baseUrl, apiKey);

    const forbidden = await client.DELETE('/v1/user/{user_id}', { params: { path: { user_id: bystander.id } } });
    expect(forbidden.response.status).toBe(403);
    expect(forbidden.data).toBeUndefined();
    expect(forbidden.error?.success).toBe(false);
    expect(forbidden.error?.error).toMatchObject({
      code: 'INSUFFICIENT_PERMISSIONS',
      message: 'You can only delete your own account.',
      type: 'authorization_error',
      status: 403,
      trace_id: forbidden.response.headers.get('x-request-id'),
    });

    const deleted = await client.DELETE('/v1/user/{user_id}', { params: { path: { user_id: user.id } } });
    expect(deleted.response.status).toBe(200);
    // Field by field through the generated types, so that renaming one is a type error here.
    expect([deleted.data?.success, deleted.data?.message, deleted.data?.user_id]).toEqual([
      true,
      'User account deleted successfully',
      user.id,
    ]);
    expect(deleted.data).toEqual({ success: true, message: 'User account deleted successfully', user_id: user.id });

    const revoked = await client.DELETE('/v1/user/{user_id}', { params: { path: { user_id: user.id } } });
    expect(revoked.response.status).toBe(401);
    expect(revoked.error?.error.code).toBe('INVALID_API_KEY');
  });

  it('reads the public health check without a key', async () => {
    const { data, response } = await createUsersClient(t.baseUrl).GET('/health');
    expect(response.status).toBe(200);
    expect(data).toEqual({ status: 'ok', database: 'up' });
  });
});
