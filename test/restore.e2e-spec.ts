import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { expectEnvelope, INVALID_API_KEY, USER_NOT_FOUND } from './support/envelope.js';
import { EMAIL_TAKEN, FORBIDDEN, USER_ANONYMIZED, USERNAME_TAKEN } from './support/lifecycle-errors.js';
import { userObject } from './support/user-object.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import type { MadeUser } from '@users-service/users/testing';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('POST /v1/user/{user_id}/restore', () => {
  let t: TestApp;
  let admin: MadeUser;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.users.admin();
  });
  afterAll(async () => {
    await t?.close();
  });

  const restore = (userId: string, apiKey = admin.apiKey) =>
    t.request(`/v1/user/${userId}/restore`, { method: 'POST', headers: { 'X-API-Key': apiKey } });
  const del = (userId: string, apiKey: string) =>
    t.request(`/v1/user/${userId}`, { method: 'DELETE', headers: { 'X-API-Key': apiKey } });
  const me = (apiKey: string) => t.request('/v1/user/me', { headers: { 'X-API-Key': apiKey } });
  const userRow = async (id: string) =>
    (
      await t.db.query(
        'SELECT email, username, is_deleted, is_active, deleted_at, deleted_by, anonymized_at, updated_at FROM users WHERE id = $1',
        [id],
      )
    )[0];
  const keyRows = (userId: string) =>
    t.db.query(
      'SELECT id, key_hash, name, revoked_at, revoked_reason FROM api_keys WHERE user_id = $1 ORDER BY created_at, id',
      [userId],
    );
  const audit = (userId: string) =>
    t.db.query(
      'SELECT action, actor_user_id, trace_id, metadata FROM audit_events WHERE target_user_id = $1 ORDER BY id',
      [userId],
    );

  it('round trip: delete, restore, then the new key works and the old one does not', async () => {
    const user = await t.users.create({ username: 'back.again' });
    const deleted = await del(user.id, user.apiKey);
    expect(deleted.status).toBe(200);
    const revokedBefore = await keyRows(user.id);

    const response = await restore(user.id);
    expect(response.status).toBe(200);
    const body = await response.json();
    const row = await userRow(user.id);
    expect(row).toMatchObject({
      email: user.email,
      username: 'back.again',
      is_deleted: false,
      is_active: true,
      deleted_at: null,
      deleted_by: null,
      anonymized_at: null,
    });
    expect(body).toEqual({
      success: true,
      user: userObject({
        id: user.id,
        email: user.email,
        username: 'back.again',
        created_at: expect.stringMatching(/Z$/),
        updated_at: row.updated_at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      }),
      api_key: expect.stringMatching(/^ak_[A-Za-z0-9]{40}$/),
    });

    // The old key stays revoked, exactly as the delete left it; one new live key, stored as a hash.
    const keys = await keyRows(user.id);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toEqual(revokedBefore[0]);
    expect(keys[1]).toMatchObject({ key_hash: sha256(body.api_key), revoked_at: null });
    await expectEnvelope(await me(user.apiKey), INVALID_API_KEY);
    const meResponse = await me(body.api_key);
    expect(meResponse.status).toBe(200);
    expect((await meResponse.json()).id).toBe(user.id);

    const traceId = response.headers.get('x-request-id');
    expect(await audit(user.id)).toEqual([
      {
        action: 'user.deleted',
        actor_user_id: user.id,
        trace_id: deleted.headers.get('x-request-id'),
        metadata: { revoked_api_keys: 1 },
      },
      { action: 'user.restored', actor_user_id: admin.id, trace_id: traceId, metadata: { api_key_id: keys[1].id } },
      { action: 'api_key.created', actor_user_id: admin.id, trace_id: traceId, metadata: { api_key_id: keys[1].id } },
    ]);
    // Listed again, and can delete itself again.
    expect((await del(user.id, body.api_key)).status).toBe(200);
  });

  it("a deleted user's e-mail makes a new user; restoring the old one then answers 409 and changes nothing", async () => {
    const user = await t.users.create();
    expect((await del(user.id, user.apiKey)).status).toBe(200);
    const created = await t.request('/v1/user', {
      method: 'POST',
      headers: { 'X-API-Key': admin.apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: user.email }),
    });
    expect(created.status).toBe(201);
    const newcomer = (await created.json()).user;
    expect(newcomer.id).not.toBe(user.id);
    expect(newcomer.email).toBe(user.email);

    const before = { row: await userRow(user.id), keys: await keyRows(user.id), audit: await audit(user.id) };
    await expectEnvelope(await restore(user.id), EMAIL_TAKEN);
    expect({ row: await userRow(user.id), keys: await keyRows(user.id), audit: await audit(user.id) }).toEqual(before);
    expect(before.row).toMatchObject({ is_deleted: true, is_active: false });
  });

  it('answers 409 USERNAME_ALREADY_EXISTS when a live user has taken the username meanwhile', async () => {
    const user = await t.users.create({ username: 'popular' });
    await t.users.softDelete(user.id);
    await t.users.create({ username: 'popular' });
    await expectEnvelope(await restore(user.id), USERNAME_TAKEN);
    expect(await userRow(user.id)).toMatchObject({ is_deleted: true });
  });

  it('answers 404 for a user that is not deleted and for one that does not exist', async () => {
    const user = await t.users.create();
    const before = await userRow(user.id);
    await expectEnvelope(await restore(user.id), USER_NOT_FOUND);
    await expectEnvelope(await restore('usr_00000000000000000000000000000000'), USER_NOT_FOUND);
    await expectEnvelope(await restore('nonsense'), USER_NOT_FOUND);
    expect(await userRow(user.id)).toEqual(before);
    expect(await keyRows(user.id)).toHaveLength(1);
  });

  it('answers 409 USER_ANONYMIZED for a user retention has anonymized', async () => {
    const user = await t.users.create();
    await t.users.softDelete(user.id, new Date('2020-01-01T00:00:00Z'));
    await t.db.query(
      "UPDATE users SET anonymized_at = now(), email = 'anonymized-' || substr(id, 5) || '@anonymized.invalid' WHERE id = $1",
      [user.id],
    );
    const before = await userRow(user.id);
    await expectEnvelope(await restore(user.id), USER_ANONYMIZED);
    expect(await userRow(user.id)).toEqual(before);
  });

  it('is for admins only: a member gets 403 and the deleted user stays deleted', async () => {
    const member = await t.users.create();
    const user = await t.users.create();
    await t.users.softDelete(user.id);
    await expectEnvelope(await restore(user.id, member.apiKey), FORBIDDEN);
    await expectEnvelope(await restore(member.id, member.apiKey), FORBIDDEN);
    await expectEnvelope(await restore(user.id, user.apiKey), INVALID_API_KEY);
    expect(await userRow(user.id)).toMatchObject({ is_deleted: true });
    expect(await keyRows(user.id)).toHaveLength(1);
  });

  it('of 10 concurrent restores of one user exactly one succeeds; one new key, one audit event', async () => {
    const user = await t.users.create();
    await t.users.softDelete(user.id);
    const responses = await Promise.all(Array.from({ length: 10 }, () => restore(user.id)));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    for (const response of responses) if (response.status !== 200) await expectEnvelope(response, USER_NOT_FOUND);
    expect(await keyRows(user.id)).toHaveLength(2);
    expect((await audit(user.id)).filter((e: any) => e.action === 'user.restored')).toHaveLength(1);
  });
});
