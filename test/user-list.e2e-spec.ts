import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectEnvelope, INVALID_API_KEY } from './support/envelope.js';
import { FORBIDDEN, validationError } from './support/lifecycle-errors.js';
import { userObject } from './support/user-object.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import type { MadeUser } from '@users-service/users/testing';

describe('GET /v1/user (admin list)', () => {
  let t: TestApp;
  let admin: MadeUser;
  let live: MadeUser[];
  let deleted: MadeUser;
  let inactive: MadeUser;
  /** Every id in created_at order. */
  let all: string[];

  const day = (n: number) => new Date(Date.UTC(2025, 0, n, 12));

  beforeAll(async () => {
    t = await startTestApp();
    // Created out of order on purpose; two users share a created_at, so the id breaks the tie.
    admin = await t.users.admin({ createdAt: day(1) });
    const c = await t.users.create({ createdAt: day(5) });
    const a = await t.users.create({ createdAt: day(3) });
    const b1 = await t.users.create({ createdAt: day(4) });
    const b2 = await t.users.create({ createdAt: day(4) });
    deleted = await t.users.create({ createdAt: day(2) });
    inactive = await t.users.create({ createdAt: day(6) });
    await t.users.softDelete(deleted.id);
    await t.db.query('UPDATE users SET is_active = false WHERE id = $1', [inactive.id]);
    const [first, second] = [b1, b2].sort((x, y) => (x.id < y.id ? -1 : 1));
    live = [a, first!, second!, c];
    all = [admin.id, deleted.id, a.id, first!.id, second!.id, c.id, inactive.id];
  });
  afterAll(async () => {
    await t?.close();
  });

  const list = (query = '', apiKey = admin.apiKey) =>
    t.request(`/v1/user${query}`, { headers: { 'X-API-Key': apiKey } });
  const ids = async (response: Response) => ((await response.json()) as Array<{ id: string }>).map((u) => u.id);

  it('answers a bare array of user objects in (created_at, id) order, without deleted users, with X-Total-Count', async () => {
    const response = await list();
    expect(response.status).toBe(200);
    expect(response.headers.get('x-total-count')).toBe('6');
    const body = (await response.json()) as Array<Record<string, unknown>>;
    expect(Array.isArray(body)).toBe(true);
    expect(body.map((u) => u.id)).toEqual([admin.id, ...live.map((u) => u.id), inactive.id]);
    expect(body[1]).toEqual(
      userObject({
        id: live[0]!.id,
        email: live[0]!.email,
        created_at: '2025-01-03T12:00:00Z',
        updated_at: '2025-01-03T12:00:00Z',
      }),
    );
    for (const user of body) expect(user).not.toHaveProperty('is_deleted');
  });

  it('leaves the deleted user out of ?active_only=true too, and the deactivated one', async () => {
    const response = await list('?active_only=true');
    expect(await ids(response)).toEqual([admin.id, ...live.map((u) => u.id)]);
    expect(response.headers.get('x-total-count')).toBe('5');
    expect(await ids(await list('?active_only=false'))).toEqual([admin.id, ...live.map((u) => u.id), inactive.id]);
  });

  it('shows the deleted user with ?include_deleted=true, with the deletion state on every item', async () => {
    const response = await list('?include_deleted=true');
    expect(response.headers.get('x-total-count')).toBe('7');
    const body = (await response.json()) as Array<Record<string, unknown>>;
    expect(body.map((u) => u.id)).toEqual(all);
    expect(body[1]).toMatchObject({
      id: deleted.id,
      is_active: false,
      is_deleted: true,
      deleted_by: deleted.id,
      deleted_at: expect.stringMatching(/Z$/),
      anonymized_at: null,
    });
    expect(body[0]).toMatchObject({ id: admin.id, is_deleted: false, deleted_at: null, deleted_by: null });
    // Deleted users are never active, so active_only still leaves them out.
    expect(await ids(await list('?include_deleted=true&active_only=true'))).toEqual([
      admin.id,
      ...live.map((u) => u.id),
    ]);
  });

  it('pages with skip and limit in the same stable order; the total ignores paging', async () => {
    const pages: string[] = [];
    for (let skip = 0; skip < 8; skip += 3) {
      const response = await list(`?include_deleted=true&skip=${skip}&limit=3`);
      expect(response.headers.get('x-total-count')).toBe('7');
      pages.push(...(await ids(response)));
    }
    expect(pages).toEqual(all);
    const past = await list('?skip=50&limit=10');
    expect(past.status).toBe(200);
    expect(await past.json()).toEqual([]);
    expect(past.headers.get('x-total-count')).toBe('6');
    expect(await ids(await list('?limit=100'))).toHaveLength(6);
  });

  const limitRules = {
    max: { field: 'limit', rule: 'max', message: 'limit must not be greater than 100' },
    min: { field: 'limit', rule: 'min', message: 'limit must not be less than 1' },
    isInt: { field: 'limit', rule: 'isInt', message: 'limit must be an integer number' },
  };
  it.each([
    ['?limit=101', [limitRules.max]],
    ['?limit=0', [limitRules.min]],
    ['?limit=ten', [limitRules.max, limitRules.min, limitRules.isInt]],
    ['?limit=1.5', [limitRules.max, limitRules.min, limitRules.isInt]],
    // An integer out of range breaks the range rule only (issue 11: the document's `minimum`/`maximum`).
    ['?skip=-1', [{ field: 'skip', rule: 'min', message: 'skip must not be less than 0' }]],
    ['?skip=1000000000', [{ field: 'skip', rule: 'max', message: 'skip must not be greater than 999999999' }]],
    ['?active_only=1', [{ field: 'active_only', rule: 'isBoolean', message: 'active_only must be a boolean value' }]],
    [
      '?include_deleted=yes',
      [{ field: 'include_deleted', rule: 'isBoolean', message: 'include_deleted must be a boolean value' }],
    ],
  ])('answers 422 for %s, naming each broken rule', async (query, fields) => {
    await expectEnvelope(await list(query), validationError(fields));
  });

  it('answers 422 for an unknown query parameter', async () => {
    await expectEnvelope(
      await list('?sort=email'),
      validationError([{ field: 'sort', rule: 'unknown_field', message: 'sort is not an accepted field' }]),
    );
  });

  it('is for admins only: a member gets 403, a bad key 401, before any validation', async () => {
    await expectEnvelope(await list('', live[0]!.apiKey), FORBIDDEN);
    await expectEnvelope(await list('?limit=1000', live[0]!.apiKey), FORBIDDEN);
    await expectEnvelope(await list('?limit=1000', deleted.apiKey), INVALID_API_KEY);
  });
});
