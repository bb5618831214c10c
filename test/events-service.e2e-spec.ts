import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RetentionService } from '@users-service/users/retention';
import { deleteStream, NATS_URL, readStream, uniqueStream } from './support/nats.js';
import { waitUntil } from './support/nats-outbox.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface OutboxRow {
  event_id: string;
  type: string;
  user_id: string;
  actor_user_id: string | null;
  trace_id: string | null;
  occurred_at: Date;
  version: number;
  published_at: Date | null;
}

/**
 * The users service writes its events through the real HTTP API, in the transaction of each
 * change, and its relay (NATS_URL set) publishes them to the shared NATS JetStream (on a stream of
 * this file's own). Runs on PGlite and on PostgreSQL.
 */
describe('user events written by the users service', () => {
  let t: TestApp;
  const stream = uniqueStream();

  beforeAll(async () => {
    t = await startTestApp({
      NATS_URL,
      NATS_STREAM: stream.stream,
      NATS_SUBJECT_PREFIX: stream.subjectPrefix,
      DELETED_USER_RETENTION_DAYS: '30',
      RETENTION_SCHEDULE: 'off',
    });
  });
  afterAll(async () => {
    await t?.close();
    await deleteStream(NATS_URL, stream.stream);
  });

  const outbox = (userId: string): Promise<OutboxRow[]> =>
    t.db.query(
      `SELECT event_id::text, type, user_id, actor_user_id, trace_id, occurred_at, version, published_at
         FROM outbox_events WHERE user_id = $1 ORDER BY seq`,
      [userId],
    );
  const types = async (userId: string) => (await outbox(userId)).map((r) => r.type);

  it('a delete over HTTP writes user.deleted and one api_key.revoked per revoked key, stamped with the request: its X-Request-Id, its caller, the deleted_at', async () => {
    const user = await t.users.create();
    await t.users.addKey(user.id);
    const response = await t.request(`/v1/user/${user.id}`, {
      method: 'DELETE',
      headers: { 'X-API-Key': user.apiKey, 'X-Request-Id': 'trace-delete-1' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('trace-delete-1');
    const [{ deleted_at }] = await t.db.query<[{ deleted_at: Date }]>('SELECT deleted_at FROM users WHERE id = $1', [
      user.id,
    ]);
    const rows = await outbox(user.id);
    expect(
      rows.map(({ published_at: _, event_id, ...rest }) => ({ ...rest, event_id: UUID_V7.test(event_id) })),
    ).toEqual(
      ['user.deleted', 'api_key.revoked', 'api_key.revoked'].map((type) => ({
        event_id: true,
        type,
        user_id: user.id,
        actor_user_id: user.id,
        trace_id: 'trace-delete-1',
        occurred_at: deleted_at,
        version: 1,
      })),
    );
    expect(new Set(rows.map((r) => r.event_id)).size).toBe(3);
  });

  it('creating a user, revoking a key and restoring a user each write their event with the request’s trace id', async () => {
    const admin = await t.users.admin();
    const created = await t.request('/v1/user', {
      method: 'POST',
      headers: { 'X-API-Key': admin.apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: `events-${Date.now()}@example.com` }),
    });
    expect(created.status).toBe(201);
    const { user } = (await created.json()) as { user: { id: string } };
    expect((await outbox(user.id)).map((r) => [r.type, r.actor_user_id, r.trace_id])).toEqual([
      ['user.created', admin.id, created.headers.get('x-request-id')],
    ]);

    const member = await t.users.create();
    const second = await t.users.addApiKey(member.id);
    const revoked = await t.request(`/v1/user/api-keys/${second.id}`, {
      method: 'DELETE',
      headers: { 'X-API-Key': member.apiKey },
    });
    expect(revoked.status).toBe(200);
    expect((await outbox(member.id)).map((r) => [r.type, r.actor_user_id, r.trace_id])).toEqual([
      ['api_key.revoked', member.id, revoked.headers.get('x-request-id')],
    ]);

    const deleted = await t.users.create();
    await t.users.softDelete(deleted.id);
    const restored = await t.request(`/v1/user/${deleted.id}/restore`, {
      method: 'POST',
      headers: { 'X-API-Key': admin.apiKey },
    });
    expect(restored.status).toBe(200);
    expect((await outbox(deleted.id)).map((r) => [r.type, r.actor_user_id, r.trace_id])).toEqual([
      ['user.restored', admin.id, restored.headers.get('x-request-id')],
    ]);
  });

  it('retention writes user.anonymized for each user it anonymizes, by system, with the run’s trace id', async () => {
    const old = await t.users.create();
    const recent = await t.users.create();
    await t.users.softDelete(old.id, new Date(Date.now() - 31 * 86_400_000));
    await t.users.softDelete(recent.id, new Date(Date.now() - 29 * 86_400_000));
    const result = await t.app.get(RetentionService).run();
    expect(result.anonymized).toBeGreaterThanOrEqual(1);
    expect((await outbox(old.id)).map((r) => [r.type, r.actor_user_id, r.trace_id])).toEqual([
      ['user.anonymized', 'system', result.traceId],
    ]);
    expect(await outbox(recent.id)).toEqual([]);
  });

  it('a delete whose transaction fails at commit, after its outbox row was written, leaves no event (and no change)', async () => {
    const user = await t.users.create();
    // A deferred constraint trigger fails the audit row at COMMIT: the outbox INSERT has run by then.
    await t.db.query(`CREATE FUNCTION fail_audit_for_test() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.target_user_id = '${user.id}' THEN RAISE EXCEPTION 'audit write failed (test)'; END IF; RETURN NULL; END $$`);
    await t.db.query(`CREATE CONSTRAINT TRIGGER fail_audit_for_test AFTER INSERT ON audit_events
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fail_audit_for_test()`);
    try {
      const response = await t.request(`/v1/user/${user.id}`, {
        method: 'DELETE',
        headers: { 'X-API-Key': user.apiKey },
      });
      expect(response.status).toBe(500);
      expect(await outbox(user.id)).toEqual([]);
      expect(await t.db.query('SELECT is_deleted FROM users WHERE id = $1', [user.id])).toEqual([
        { is_deleted: false },
      ]);
    } finally {
      await t.db.query('DROP TRIGGER fail_audit_for_test ON audit_events');
      await t.db.query('DROP FUNCTION fail_audit_for_test()');
    }
    // The same delete, once the fault is gone, writes its event.
    const again = await t.request(`/v1/user/${user.id}`, { method: 'DELETE', headers: { 'X-API-Key': user.apiKey } });
    expect(again.status).toBe(200);
    expect(await types(user.id)).toEqual(['user.deleted', 'api_key.revoked']);
  });

  it('the relay publishes a delete to <prefix>.user.deleted within 5 s, with the delete’s X-Request-Id as trace_id', async () => {
    const user = await t.users.create();
    const started = Date.now();
    const response = await t.request(`/v1/user/${user.id}`, {
      method: 'DELETE',
      headers: { 'X-API-Key': user.apiKey },
    });
    expect(response.status).toBe(200);
    const traceId = response.headers.get('x-request-id');
    const [row] = await outbox(user.id);
    await waitUntil(
      async () => (await readStream(NATS_URL, stream.stream)).some((m) => m.msgId === row!.event_id),
      'the delete on the stream',
      5000,
    );
    expect(Date.now() - started).toBeLessThan(5000);
    const message = (await readStream(NATS_URL, stream.stream)).find((m) => m.msgId === row!.event_id)!;
    expect({ subject: message.subject, payload: message.payload }).toEqual({
      subject: `${stream.subjectPrefix}.user.deleted`,
      payload: {
        event_id: row!.event_id,
        type: 'user.deleted',
        occurred_at: row!.occurred_at.toISOString(),
        user_id: user.id,
        actor_user_id: user.id,
        trace_id: traceId,
        version: 1,
      },
    });
  });

  it('/health/ready reports the outbox; /health stays as it was', async () => {
    await waitUntil(
      async () =>
        ((await (await t.request('/health/ready')).json()) as { outbox: { pending: number } }).outbox.pending === 0,
      'the relay to publish everything',
    );
    const ready = await t.request('/health/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ok',
      database: 'up',
      outbox: { relay_enabled: true, outage_since: null, pending: 0, oldest_pending_at: null },
    });
    expect(await (await t.request('/health')).json()).toEqual({ status: 'ok', database: 'up' });
  });
});

describe('user events without NATS_URL', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('the events wait in the outbox and /health/ready says so, answering 200', async () => {
    const user = await t.users.create();
    expect(
      (await t.request(`/v1/user/${user.id}`, { method: 'DELETE', headers: { 'X-API-Key': user.apiKey } })).status,
    ).toBe(200);
    const [{ occurred_at }] = await t.db.query<[{ occurred_at: Date }]>(
      'SELECT min(occurred_at) AS occurred_at FROM outbox_events WHERE published_at IS NULL',
    );
    const ready = await t.request('/health/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ok',
      database: 'up',
      outbox: { relay_enabled: false, outage_since: null, pending: 2, oldest_pending_at: occurred_at.toISOString() },
    });
  });
});
