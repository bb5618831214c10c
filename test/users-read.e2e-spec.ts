import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectEnvelope, USER_NOT_FOUND, withoutTrace } from './support/envelope.js';
import { FORBIDDEN, validationError } from './support/lifecycle-errors.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const isoSeconds = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('GET /v1/user/me, /v1/user/profile and /v1/user/{user_id}', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const get = (path: string, apiKey: string) => t.request(path, { headers: { 'X-API-Key': apiKey } });

  /** The user object as the API family defines it, built from the row (not from the service's mapper). */
  const expectedUser = async (id: string) => {
    const [row] = await t.db.query('SELECT * FROM users WHERE id = $1', [id]);
    return {
      id: row.id,
      email: row.email,
      username: row.username,
      full_name: row.full_name ?? ([row.first_name, row.last_name].filter(Boolean).join(' ') || null),
      first_name: row.first_name,
      last_name: row.last_name,
      birthday: row.birthday,
      profile_image: row.profile_image,
      timezone: row.timezone,
      country_id: row.country_id,
      post_code: row.post_code,
      gender: row.gender,
      global_role_id: row.global_role_id,
      is_active: row.is_active,
      last_verified: null,
      last_login: null,
      created_at: isoSeconds(row.created_at),
      updated_at: isoSeconds(row.updated_at),
    };
  };

  it("answers the caller's own user object, flat, without is_deleted, on /me and on /profile", async () => {
    const user = await t.users.create({ username: 'ada.l' });
    await t.db.query("UPDATE users SET first_name = 'Ada', last_name = 'Lovelace' WHERE id = $1", [user.id]);
    const expected = await expectedUser(user.id);
    expect(expected).toMatchObject({ username: 'ada.l', full_name: 'Ada Lovelace', email: user.email });

    for (const path of ['/v1/user/me', '/v1/user/profile']) {
      const response = await get(path, user.apiKey);
      expect(response.status).toBe(200);
      const body = await response.json();
      expect(body).toEqual(expected);
      expect(body).not.toHaveProperty('is_deleted');
    }
  });

  it('routes /me and /profile to the caller, not to /{user_id} (which would answer 403 to a member)', async () => {
    const user = await t.users.create();
    const admin = await t.users.admin();
    for (const [path, caller] of [
      ['/v1/user/me', user],
      ['/v1/user/profile', user],
      ['/v1/user/me', admin],
    ] as const) {
      const response = await get(path, caller.apiKey);
      expect(response.status).toBe(200);
      expect(((await response.json()) as { id: string }).id).toBe(caller.id);
    }
  });

  it("answers a member's own id with the user object", async () => {
    const user = await t.users.create();
    const response = await get(`/v1/user/${user.id}`, user.apiKey);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(await expectedUser(user.id));
    // include_deleted changes nothing for a member.
    const again = await get(`/v1/user/${user.id}?include_deleted=true`, user.apiKey);
    expect(await again.json()).toEqual(await expectedUser(user.id));
  });

  it("answers a member 403 for another user's id, the same whether or not it exists", async () => {
    const caller = await t.users.create();
    const other = await t.users.create();
    const deleted = await t.users.create();
    await t.users.softDelete(deleted.id);
    const bodies = [];
    for (const id of [other.id, deleted.id, 'usr_00000000000000000000000000000000', 'nonsense']) {
      bodies.push(withoutTrace(await expectEnvelope(await get(`/v1/user/${id}`, caller.apiKey), FORBIDDEN)));
      await expectEnvelope(await get(`/v1/user/${id}?include_deleted=true`, caller.apiKey), FORBIDDEN);
    }
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
  });

  it("answers an admin any live user's object", async () => {
    const admin = await t.users.admin();
    const user = await t.users.create();
    const response = await get(`/v1/user/${user.id}`, admin.apiKey);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(await expectedUser(user.id));
  });

  it('answers 404 for a deleted user, except to an admin asking include_deleted=true, who sees the deletion', async () => {
    const admin = await t.users.admin();
    const user = await t.users.create();
    const deletedAt = new Date('2025-06-01T12:00:00Z');
    await t.users.softDelete(user.id, deletedAt, user.id);

    await expectEnvelope(await get(`/v1/user/${user.id}`, admin.apiKey), USER_NOT_FOUND);
    await expectEnvelope(await get(`/v1/user/${user.id}?include_deleted=false`, admin.apiKey), USER_NOT_FOUND);
    await expectEnvelope(
      await get('/v1/user/usr_00000000000000000000000000000000?include_deleted=true', admin.apiKey),
      USER_NOT_FOUND,
    );

    const response = await get(`/v1/user/${user.id}?include_deleted=true`, admin.apiKey);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      ...(await expectedUser(user.id)),
      is_active: false,
      is_deleted: true,
      deleted_at: '2025-06-01T12:00:00Z',
      deleted_by: user.id,
      anonymized_at: null,
    });

    // A live user asked for with include_deleted shows its (clear) deletion state too.
    const live = await get(`/v1/user/${admin.id}?include_deleted=true`, admin.apiKey);
    expect(await live.json()).toEqual({
      ...(await expectedUser(admin.id)),
      is_deleted: false,
      deleted_at: null,
      deleted_by: null,
      anonymized_at: null,
    });
  });

  it('answers 422 for an include_deleted that is not true or false, after authorization', async () => {
    const admin = await t.users.admin();
    await expectEnvelope(
      await get(`/v1/user/${admin.id}?include_deleted=yes`, admin.apiKey),
      validationError([
        { field: 'include_deleted', rule: 'isBoolean', message: 'include_deleted must be a boolean value' },
      ]),
    );
  });
});
