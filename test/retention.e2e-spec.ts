import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SchedulerRegistry } from '@nestjs/schedule';
import pg from 'pg';
import {
  RETENTION_JOB,
  RetentionScheduler,
  RetentionService,
  type RetentionProgress,
} from '@users-service/users/retention';
import type { MadeUser } from '@users-service/users/testing';
import { validateEnvironment } from '../src/config/environment.js';
import { runRetentionCommand } from '../src/retention/retention-command.js';
import { USER_ANONYMIZED } from './support/lifecycle-errors.js';
import { expectEnvelope } from './support/envelope.js';
import { engine, startTestApp, type TestApp } from './support/test-app.js';

const DAY = 86_400_000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY);

describe('Retention of deleted users (DELETED_USER_RETENTION_DAYS=30)', () => {
  let t: TestApp;
  let admin: MadeUser;

  beforeAll(async () => {
    t = await startTestApp({ DELETED_USER_RETENTION_DAYS: '30', RETENTION_BATCH_SIZE: '2' });
    admin = await t.users.admin();
  });
  afterAll(async () => {
    await t?.close();
  });

  const snapshot = async () => ({
    users: await t.db.query('SELECT * FROM users ORDER BY id'),
    keys: await t.db.query('SELECT * FROM api_keys ORDER BY id'),
    audit: await t.db.query('SELECT * FROM audit_events ORDER BY id'),
  });
  /** A user with every profile field and a named key, deleted `deletedDaysAgo` days ago (or live). */
  const person = async (deletedDaysAgo: number | null) => {
    const user = await t.users.create({
      username: `u${Math.random().toString(36).slice(2, 10)}`,
      createdAt: daysAgo(500),
    });
    await t.db.query(
      `UPDATE users SET full_name = 'Full Name', first_name = 'First', last_name = 'Last', birthday = '1980-05-05',
              profile_image = 'https://example.com/p.png', timezone = 'Europe/Paris', country_id = 'FR',
              post_code = '75001', gender = 'x', last_login = now() - interval '40 days' WHERE id = $1`,
      [user.id],
    );
    await t.db.query("UPDATE api_keys SET name = 'my personal laptop' WHERE user_id = $1", [user.id]);
    if (deletedDaysAgo !== null) await t.users.softDelete(user.id, daysAgo(deletedDaysAgo));
    return user;
  };
  const clearAll = async () => {
    // Each test starts from "nothing due": anything left over is anonymized first.
    await t.app.get(RetentionService).run();
  };

  it('anonymizes exactly the users deleted more than 30 days ago, in batches, and nothing else', async () => {
    await clearAll();
    const due = [await person(31), await person(45), await person(400)];
    const recent = await person(29);
    const live = await person(null);
    const before = await snapshot();

    const progress: RetentionProgress[] = [];
    const result = await t.app.get(RetentionService).run((p) => progress.push(p));
    expect(result).toEqual({
      retentionDays: 30,
      due: 3,
      anonymized: 3,
      batches: 2,
      traceId: expect.stringMatching(/^retention_[0-9a-f]{16}$/),
    });
    expect(progress).toEqual([
      { batch: 1, anonymized: 2, total: 2, due: 3 },
      { batch: 2, anonymized: 1, total: 3, due: 3 },
    ]);

    const after = await snapshot();
    const dueIds = new Set(due.map((u) => u.id));
    expect(after.users).toHaveLength(before.users.length);
    for (const [i, old] of before.users.entries()) {
      const now = after.users[i];
      if (!dueIds.has(old.id)) {
        expect(now).toEqual(old);
        continue;
      }
      const original = due.find((u) => u.id === old.id)!;
      expect(now).toEqual({
        ...old,
        email: `anonymized-${old.id.slice(4)}@anonymized.invalid`,
        username: null,
        full_name: null,
        first_name: null,
        last_name: null,
        birthday: null,
        profile_image: null,
        timezone: null,
        country_id: null,
        post_code: null,
        gender: null,
        anonymized_at: expect.any(Date),
      });
      expect(now.email).not.toContain(original.email.split('@')[0]);
    }
    // Keys: only the names of the anonymized users' keys are cleared.
    for (const [i, old] of before.keys.entries()) {
      expect(after.keys[i]).toEqual(dueIds.has(old.user_id) ? { ...old, name: null } : old);
    }
    // Audit: every old row kept as it was, one new event per anonymized user.
    expect(after.audit.slice(0, before.audit.length)).toEqual(before.audit);
    const added = after.audit.slice(before.audit.length);
    expect(added.map((e: any) => e.target_user_id).sort()).toEqual([...dueIds].sort());
    for (const e of added) {
      expect(e).toMatchObject({
        action: 'user.anonymized',
        actor_user_id: 'system',
        trace_id: result.traceId,
        metadata: { retention_days: 30 },
      });
    }
    expect(recent.id).not.toBe(live.id);
  });

  it('is idempotent: a second run finds nothing and changes nothing', async () => {
    await clearAll();
    await person(60);
    await t.app.get(RetentionService).run();
    const before = await snapshot();
    expect(await t.app.get(RetentionService).run()).toMatchObject({ due: 0, anonymized: 0, batches: 0 });
    expect(await snapshot()).toEqual(before);
  });

  it('refuses to restore an anonymized user (409 USER_ANONYMIZED); the admin view shows anonymized_at', async () => {
    await clearAll();
    const user = await person(31);
    await t.app.get(RetentionService).run();
    await expectEnvelope(
      await t.request(`/v1/user/${user.id}/restore`, { method: 'POST', headers: { 'X-API-Key': admin.apiKey } }),
      USER_ANONYMIZED,
    );
    const view = await t.request(`/v1/user/${user.id}?include_deleted=true`, {
      headers: { 'X-API-Key': admin.apiKey },
    });
    expect(await view.json()).toMatchObject({
      id: user.id,
      email: `anonymized-${user.id.slice(4)}@anonymized.invalid`,
      username: null,
      full_name: null,
      is_deleted: true,
      anonymized_at: expect.stringMatching(/Z$/),
    });
  });

  it('two runs at once anonymize each due user exactly once', async () => {
    await clearAll();
    const due = await Promise.all(Array.from({ length: 9 }, () => person(90)));
    const service = t.app.get(RetentionService);
    const results = await Promise.all([service.run(), service.run()]);
    expect(results[0].anonymized + results[1].anonymized).toBe(9);
    const events = await t.db.query(
      "SELECT target_user_id, count(*)::int AS n FROM audit_events WHERE action = 'user.anonymized' AND target_user_id = ANY($1) GROUP BY 1",
      [due.map((u) => u.id)],
    );
    expect(events).toHaveLength(9);
    expect(events.every((e: any) => e.n === 1)).toBe(true);
  });

  (engine() !== 'postgres' ? it.skip : it)(
    'two replicas (separate processes’ worth of pools) at once share the work; the CLI prints progress',
    async () => {
      await clearAll();
      const due = await Promise.all(Array.from({ length: 12 }, () => person(90)));
      const env = validateEnvironment({
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        DATABASE_URL: t.databaseUrl,
        DELETED_USER_RETENTION_DAYS: '30',
        RETENTION_BATCH_SIZE: '2',
      });
      const out: string[][] = [[], []];
      const results = await Promise.all([
        runRetentionCommand(env, (line) => out[0]!.push(line)),
        runRetentionCommand(env, (line) => out[1]!.push(line)),
      ]);
      expect(results[0].anonymized + results[1].anonymized).toBe(12);
      const events = await t.db.query(
        "SELECT count(*)::int AS n, count(DISTINCT target_user_id)::int AS users FROM audit_events WHERE action = 'user.anonymized' AND target_user_id = ANY($1)",
        [due.map((u) => u.id)],
      );
      expect(events).toEqual([{ n: 12, users: 12 }]);
      for (const lines of out) {
        expect(lines[0]).toBe('Retention: anonymizing users deleted more than 30 days ago, 2 per batch.');
        for (const line of lines.slice(1, -1)) expect(line).toMatch(/^ {2}batch \d+: [12] anonymized \(\d+ of \d+\)$/);
        expect(lines.at(-1)).toMatch(
          /^Done: \d+ of \d+ due users anonymized in \d+ batches \(\d+\.\d s, trace retention_[0-9a-f]{16}\)\.$/,
        );
      }
    },
  );

  (engine() !== 'postgres' ? it.skip : it)(
    'skips a row another transaction holds (SKIP LOCKED) instead of waiting, and takes it on the next run',
    async () => {
      await clearAll();
      const held = await person(90);
      const free = await person(90);
      const locker = new pg.Client({ connectionString: t.databaseUrl });
      await locker.connect();
      try {
        await locker.query('BEGIN');
        await locker.query('SELECT id FROM users WHERE id = $1 FOR UPDATE', [held.id]);
        const first = await t.app.get(RetentionService).run();
        expect(first).toMatchObject({ due: 2, anonymized: 1 });
        const rows = await t.db.query('SELECT id, anonymized_at FROM users WHERE id = ANY($1)', [[held.id, free.id]]);
        const anonymized = Object.fromEntries(rows.map((r: any) => [r.id, r.anonymized_at !== null]));
        expect(anonymized).toEqual({ [held.id]: false, [free.id]: true });
        await locker.query('COMMIT');
        expect(await t.app.get(RetentionService).run()).toMatchObject({ due: 1, anonymized: 1 });
      } finally {
        await locker.end();
      }
    },
  );

  it('runs in-process on RETENTION_SCHEDULE (hourly at :17 by default) through @nestjs/schedule', async () => {
    const job = t.app.get(SchedulerRegistry).getCronJob(RETENTION_JOB);
    expect(job.cronTime.source).toBe('17 * * * *');
    expect(job.isActive).toBe(true);
    await clearAll();
    const user = await person(31);
    await t.app.get(RetentionScheduler).tick();
    const [row] = await t.db.query('SELECT anonymized_at FROM users WHERE id = $1', [user.id]);
    expect(row.anonymized_at).toBeInstanceOf(Date);
  });
});

describe('Retention when DELETED_USER_RETENTION_DAYS is unset (the default: keep forever)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('schedules nothing and anonymizes nothing, even when asked to run', async () => {
    expect(() => t.app.get(RetentionScheduler)).toThrow();
    const user = await t.users.create();
    await t.users.softDelete(user.id, new Date('2000-01-01T00:00:00Z'));
    const before = await t.db.query('SELECT * FROM users WHERE id = $1', [user.id]);
    expect(await t.app.get(RetentionService).run()).toEqual({
      retentionDays: null,
      due: 0,
      anonymized: 0,
      batches: 0,
      traceId: null,
    });
    expect(await t.db.query('SELECT * FROM users WHERE id = $1', [user.id])).toEqual(before);
    const lines: string[] = [];
    await runRetentionCommand(validateEnvironment({ NODE_ENV: 'test' }), (line) => lines.push(line));
    expect(lines).toEqual(['DELETED_USER_RETENTION_DAYS is not set: deleted users are kept forever. Nothing to do.']);
  });
});
