import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectEnvelope, INVALID_API_KEY } from './support/envelope.js';
import { USERNAME_TAKEN, validationError } from './support/lifecycle-errors.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('PATCH /v1/user/profile', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const patch = (apiKey: string, body: unknown) =>
    t.request('/v1/user/profile', {
      method: 'PATCH',
      headers: { 'X-API-Key': apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });

  const PROFILE_COLUMNS =
    'username, full_name, first_name, last_name, birthday::text AS birthday, profile_image, timezone, country_id, post_code, gender';
  const profileRow = async (id: string) =>
    (
      await t.db.query(
        `SELECT ${PROFILE_COLUMNS}, email, global_role_id, is_active, updated_at FROM users WHERE id = $1`,
        [id],
      )
    )[0];
  const updates = (id: string) =>
    t.db.query(
      "SELECT actor_user_id, trace_id, metadata FROM audit_events WHERE target_user_id = $1 AND action = 'user.updated' ORDER BY id",
      [id],
    );
  /** Puts updated_at an hour back, so that a move is visible even within one second. */
  const ageRow = (id: string) =>
    t.db.query("UPDATE users SET updated_at = now() - interval '1 hour' WHERE id = $1", [id]);

  it('changes the given fields, answers the profile, moves updated_at and audits the field names only', async () => {
    const user = await t.users.create();
    await ageRow(user.id);
    const before = await profileRow(user.id);

    const response = await patch(user.apiKey, {
      username: 'grace.h',
      first_name: 'Grace',
      last_name: 'Hopper',
      birthday: '1906-12-09',
      profile_image: 'https://example.com/grace.png',
      timezone: 'America/New_York',
      country_id: 'US',
      post_code: '10001',
      gender: 'female',
    });
    expect(response.status).toBe(200);
    const body = await response.json();
    const after = await profileRow(user.id);

    expect(after).toMatchObject({
      username: 'grace.h',
      full_name: null,
      first_name: 'Grace',
      last_name: 'Hopper',
      birthday: '1906-12-09',
      profile_image: 'https://example.com/grace.png',
      timezone: 'America/New_York',
      country_id: 'US',
      post_code: '10001',
      gender: 'female',
      email: user.email,
      global_role_id: 'role_member',
      is_active: true,
    });
    expect(after.updated_at.getTime()).toBeGreaterThan(before.updated_at.getTime() + 30 * 60_000);
    expect(body).toEqual({
      success: true,
      message: 'Profile updated successfully',
      profile: {
        id: user.id,
        email: user.email,
        username: 'grace.h',
        full_name: 'Grace Hopper',
        first_name: 'Grace',
        last_name: 'Hopper',
        birthday: '1906-12-09',
        profile_image: 'https://example.com/grace.png',
        timezone: 'America/New_York',
        country_id: 'US',
        post_code: '10001',
        gender: 'female',
        global_role_id: 'role_member',
        is_active: true,
        last_verified: null,
        last_login: null,
        created_at: expect.stringMatching(/Z$/),
        updated_at: after.updated_at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      },
    });
    expect(await updates(user.id)).toEqual([
      {
        actor_user_id: user.id,
        trace_id: response.headers.get('x-request-id'),
        metadata: {
          fields: [
            'birthday',
            'country_id',
            'first_name',
            'gender',
            'last_name',
            'post_code',
            'profile_image',
            'timezone',
            'username',
          ],
        },
      },
    ]);
    // GET /me now shows the same profile.
    const me = await t.request('/v1/user/me', { headers: { 'X-API-Key': user.apiKey } });
    expect(await me.json()).toEqual(body.profile);
  });

  it('records only the fields whose value changed; an unchanged patch neither audits nor moves updated_at', async () => {
    const user = await t.users.create({ username: 'same.name' });
    await ageRow(user.id);
    const before = await profileRow(user.id);

    const unchanged = await patch(user.apiKey, { username: 'same.name', gender: null });
    expect(unchanged.status).toBe(200);
    expect((await unchanged.json()).profile.username).toBe('same.name');
    expect(await profileRow(user.id)).toEqual(before);
    expect(await updates(user.id)).toEqual([]);

    const empty = await patch(user.apiKey, {});
    expect(empty.status).toBe(200);
    expect(await profileRow(user.id)).toEqual(before);

    const changed = await patch(user.apiKey, { username: 'same.name', gender: 'x' });
    expect(changed.status).toBe(200);
    expect((await updates(user.id)).map((e: any) => e.metadata)).toEqual([{ fields: ['gender'] }]);
  });

  it('clears a field with null; full_name falls back to first and last name', async () => {
    const user = await t.users.create();
    expect((await patch(user.apiKey, { full_name: 'Dr. A. King', first_name: 'Ada', last_name: 'King' })).status).toBe(
      200,
    );
    const cleared = await patch(user.apiKey, { full_name: null });
    expect((await cleared.json()).profile).toMatchObject({ full_name: 'Ada King', first_name: 'Ada' });
    expect(await profileRow(user.id)).toMatchObject({ full_name: null, first_name: 'Ada', last_name: 'King' });
  });

  it('rejects email and unknown fields with 422, naming each field and rule, and changes nothing', async () => {
    const user = await t.users.create();
    const before = await profileRow(user.id);
    await expectEnvelope(
      await patch(user.apiKey, { email: 'new@example.com', first_name: 'Ok' }),
      validationError([{ field: 'email', rule: 'read_only', message: 'email cannot be changed with this endpoint' }]),
    );
    await expectEnvelope(
      await patch(user.apiKey, { is_active: false, global_role_id: 'role_admin', nickname: 'x' }),
      validationError([
        { field: 'is_active', rule: 'unknown_field', message: 'is_active is not an accepted field' },
        { field: 'global_role_id', rule: 'unknown_field', message: 'global_role_id is not an accepted field' },
        { field: 'nickname', rule: 'unknown_field', message: 'nickname is not an accepted field' },
      ]),
    );
    expect(await profileRow(user.id)).toEqual(before);
    expect(await updates(user.id)).toEqual([]);
  });

  it.each([
    ['username', 'Ada', 'matches', 'username may hold only lowercase letters, digits, ".", "_" and "-"'],
    ['username', 'ab', 'minLength', 'username must be longer than or equal to 3 characters'],
    ['username', 'a'.repeat(101), 'maxLength', 'username must be shorter than or equal to 100 characters'],
    ['first_name', 'x'.repeat(256), 'maxLength', 'first_name must be shorter than or equal to 255 characters'],
    ['birthday', '2999-01-01', 'isPastDate', 'birthday must be a date in the past, on or after 1900-01-01'],
    ['birthday', '1990-02-30', 'isIso8601', 'birthday must be a valid date, YYYY-MM-DD'],
    ['profile_image', 'ftp://example.com/a.png', 'isUrl', 'profile_image must be an http or https URL'],
    ['timezone', 'Mars/Olympus_Mons', 'isTimeZone', 'timezone must be an IANA time zone id'],
    ['post_code', '1'.repeat(21), 'maxLength', 'post_code must be shorter than or equal to 20 characters'],
    ['gender', 'g'.repeat(51), 'maxLength', 'gender must be shorter than or equal to 50 characters'],
    ['country_id', '', 'minLength', 'country_id must be longer than or equal to 1 characters'],
  ])('rejects %s = %j with rule %s', async (field, value, rule, message) => {
    const user = await t.users.create();
    const before = await profileRow(user.id);
    await expectEnvelope(await patch(user.apiKey, { [field]: value }), validationError([{ field, rule, message }]));
    expect(await profileRow(user.id)).toEqual(before);
  });

  it('lists every rule a value breaks (a number for a name breaks all three string rules)', async () => {
    const user = await t.users.create();
    await expectEnvelope(
      await patch(user.apiKey, { last_name: 42 }),
      validationError([
        { field: 'last_name', rule: 'maxLength', message: 'last_name must be shorter than or equal to 255 characters' },
        { field: 'last_name', rule: 'minLength', message: 'last_name must be longer than or equal to 1 characters' },
        { field: 'last_name', rule: 'isString', message: 'last_name must be a string' },
      ]),
    );
  });

  it('keeps usernames unique among live users (409), while a deleted user’s username is free', async () => {
    const holder = await t.users.create({ username: 'taken.name' });
    const user = await t.users.create();
    await expectEnvelope(await patch(user.apiKey, { username: 'taken.name' }), USERNAME_TAKEN);
    expect(await profileRow(user.id)).toMatchObject({ username: null });
    expect(await updates(user.id)).toEqual([]);

    await t.users.softDelete(holder.id);
    const response = await patch(user.apiKey, { username: 'taken.name' });
    expect(response.status).toBe(200);
    expect(await profileRow(user.id)).toMatchObject({ username: 'taken.name' });
  });

  it('authenticates before it validates: a bad key with a bad body is 401', async () => {
    const user = await t.users.create();
    await t.users.softDelete(user.id);
    await expectEnvelope(await patch(user.apiKey, { email: 'x@example.com' }), INVALID_API_KEY);
    await expectEnvelope(await patch(`ak_${'B'.repeat(40)}`, { nickname: 1 }), INVALID_API_KEY);
  });
});
