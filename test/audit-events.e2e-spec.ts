import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectEnvelope } from './support/envelope.js';
import { FORBIDDEN, validationError } from './support/lifecycle-errors.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import type { MadeUser } from '@users-service/users/testing';

describe('audit_events: append-only in the database, and GET /v1/audit-events', () => {
  let t: TestApp;
  let admin: MadeUser;
  const alice = 'usr_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
  const bob = 'usr_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

  /** Events made directly (inserting is what the database allows), at known times. */
  const seeded = [
    { at: '2025-01-01T10:00:00Z', action: 'user.created', actor: 'system', target: alice },
    { at: '2025-01-02T10:00:00Z', action: 'user.updated', actor: alice, target: alice },
    { at: '2025-01-03T10:00:00Z', action: 'user.created', actor: 'system', target: bob },
    { at: '2025-01-04T10:00:00Z', action: 'user.deleted', actor: alice, target: alice },
    { at: '2025-01-05T10:00:00Z', action: 'user.restored', actor: bob, target: alice },
  ];
  let ids: string[];

  beforeAll(async () => {
    t = await startTestApp();
    ids = [];
    for (const e of seeded) {
      const [row] = await t.db.query(
        `INSERT INTO audit_events (occurred_at, action, actor_user_id, target_user_id, trace_id, ip, user_agent, metadata)
         VALUES ($1, $2, $3, $4, 'req_seed', '203.0.113.7', 'seed/1.0', '{"n": 1}') RETURNING id::text AS id`,
        [e.at, e.action, e.actor, e.target],
      );
      ids.push(row.id);
    }
    // The admin is made with plain SQL: no audit events of its own, before or after the seeded ones.
    admin = await t.users.admin();
  });
  afterAll(async () => {
    await t?.close();
  });

  const events = (query = '', apiKey = admin.apiKey) =>
    t.request(`/v1/audit-events${query}`, { headers: { 'X-API-Key': apiKey } });
  const eventIds = async (response: Response) => ((await response.json()) as Array<{ id: string }>).map((e) => e.id);
  /** Seeded ids, newest first, for the seeded entries matching `keep`. */
  const newestFirst = (keep: (e: (typeof seeded)[number]) => boolean) =>
    seeded
      .map((e, i) => ({ e, id: ids[i]! }))
      .filter(({ e }) => keep(e))
      .map(({ id }) => id)
      .reverse();

  it('rejects UPDATE, DELETE and TRUNCATE of audit_events in the database itself', async () => {
    const before = await t.db.query('SELECT * FROM audit_events ORDER BY id');
    await expect(t.db.query("UPDATE audit_events SET action = 'x' WHERE id = $1", [ids[0]])).rejects.toThrow(
      /audit_events is append-only: UPDATE is not allowed/,
    );
    await expect(t.db.query('DELETE FROM audit_events WHERE id = $1', [ids[0]])).rejects.toThrow(
      /audit_events is append-only: DELETE is not allowed/,
    );
    await expect(t.db.query('TRUNCATE audit_events')).rejects.toThrow(/append-only: TRUNCATE is not allowed/);
    expect(await t.db.query('SELECT * FROM audit_events ORDER BY id')).toEqual(before);
  });

  it('lists events newest first with their columns, as a bare array with X-Total-Count', async () => {
    const response = await events();
    expect(response.status).toBe(200);
    expect(response.headers.get('x-total-count')).toBe('5');
    const body = await response.json();
    expect(body.map((e: { id: string }) => e.id)).toEqual([...ids].reverse());
    expect(body[0]).toEqual({
      id: ids[4],
      occurred_at: '2025-01-05T10:00:00Z',
      action: 'user.restored',
      actor_user_id: bob,
      target_user_id: alice,
      trace_id: 'req_seed',
      ip: '203.0.113.7',
      user_agent: 'seed/1.0',
      metadata: { n: 1 },
    });
  });

  it('filters by target, actor, action and time range, alone and together', async () => {
    const cases: Array<[string, (e: (typeof seeded)[number]) => boolean]> = [
      [`?target_user_id=${alice}`, (e) => e.target === alice],
      [`?actor_user_id=${alice}`, (e) => e.actor === alice],
      ['?actor_user_id=system', (e) => e.actor === 'system'],
      ['?action=user.created', (e) => e.action === 'user.created'],
      ['?from=2025-01-02T10:00:00Z', (e) => e.at >= '2025-01-02T10:00:00Z'],
      ['?to=2025-01-04T10:00:00Z', (e) => e.at < '2025-01-04T10:00:00Z'],
      [
        '?from=2025-01-02T00:00:00Z&to=2025-01-05T00:00:00Z',
        (e) => e.at >= '2025-01-02T00:00:00Z' && e.at < '2025-01-05T00:00:00Z',
      ],
      [`?target_user_id=${alice}&action=user.deleted`, (e) => e.target === alice && e.action === 'user.deleted'],
      [`?target_user_id=${bob}&actor_user_id=${alice}`, () => false],
    ];
    for (const [query, keep] of cases) {
      const response = await events(query);
      expect(response.status).toBe(200);
      const expected = newestFirst(keep);
      expect(await eventIds(response)).toEqual(expected);
      expect(response.headers.get('x-total-count')).toBe(String(expected.length));
    }
  });

  it('pages with skip and limit; the total ignores paging', async () => {
    const first = await events('?limit=2');
    const second = await events('?limit=2&skip=2');
    const past = await events('?limit=2&skip=10');
    expect(await eventIds(first)).toEqual([ids[4], ids[3]]);
    expect(await eventIds(second)).toEqual([ids[2], ids[1]]);
    expect(await past.json()).toEqual([]);
    for (const r of [first, second, past]) expect(r.headers.get('x-total-count')).toBe('5');
  });

  it('records what the service does: a user created through the API shows up with the request trace id', async () => {
    const created = await t.request('/v1/user', {
      method: 'POST',
      headers: { 'X-API-Key': admin.apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'audited@example.com' }),
    });
    const user = (await created.json()).user;
    const response = await events(`?target_user_id=${user.id}`);
    const body = await response.json();
    expect(body.map((e: { action: string }) => e.action).sort()).toEqual(['api_key.created', 'user.created']);
    for (const e of body) {
      expect(e).toMatchObject({
        actor_user_id: admin.id,
        target_user_id: user.id,
        trace_id: created.headers.get('x-request-id'),
        ip: '127.0.0.1',
      });
    }
  });

  const ACTION_MESSAGE =
    'action must be one of: user.created, user.updated, user.deleted, user.restored, user.anonymized, ' +
    'api_key.created, api_key.revoked';
  it.each([
    ['?from=yesterday', [{ field: 'from', rule: 'isIso8601', message: 'from must be an ISO 8601 date-time' }]],
    ['?action=DROP%20TABLE', [{ field: 'action', rule: 'isIn', message: ACTION_MESSAGE }]],
    // Shaped like an action, but none the service records: the filter names the ones it knows.
    ['?action=user.unknown', [{ field: 'action', rule: 'isIn', message: ACTION_MESSAGE }]],
    ['?limit=500', [{ field: 'limit', rule: 'max', message: 'limit must not be greater than 100' }]],
    ['?user=x', [{ field: 'user', rule: 'unknown_field', message: 'user is not an accepted field' }]],
  ])('answers 422 for %s', async (query, fields) => {
    await expectEnvelope(await events(query), validationError(fields));
  });

  it('is for admins only', async () => {
    const member = await t.users.create();
    await expectEnvelope(await events('', member.apiKey), FORBIDDEN);
    await expectEnvelope(await events(`?target_user_id=${member.id}`, member.apiKey), FORBIDDEN);
  });
});
