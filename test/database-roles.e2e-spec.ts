import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { randomApiKey, startChildServer, type ChildServer } from './support/child-server.js';
import { deleteStream, NATS_URL, uniqueStream } from './support/nats.js';
import { waitUntil } from './support/nats-outbox.js';
import { engine } from './support/test-app.js';

/**
 * Two database roles (docs/deployment.md): the schema owner of MIGRATIONS_DATABASE_URL runs the
 * migrations and grants; the runtime role of DATABASE_URL, which the service's pool uses, owns
 * nothing and may only read and append to audit_events, so the service's own connection cannot
 * rewrite, empty or unprotect the audit log. The built service runs as a real process
 * (`node dist/src/main.js`), as do the migration and retention commands.
 *
 * PostgreSQL only (the e2e-postgres project): PGlite has one role. The one-URL setup, with the
 * service's role owning the schema, is what every other spec runs on PostgreSQL (e.g.
 * delete-user.e2e-spec.ts, migrations.e2e-spec.ts).
 */
(engine() === 'postgres' ? describe : describe.skip)('a runtime database role distinct from the schema owner', () => {
  const suffix = randomBytes(4).toString('hex');
  const database = `users_roles_${suffix}`;
  const owner = { name: `users_owner_${suffix}`, password: randomBytes(12).toString('hex') };
  const runtime = { name: `users_app_${suffix}`, password: randomBytes(12).toString('hex') };
  const adminKey = randomApiKey();
  const stream = uniqueStream();
  const servers: ChildServer[] = [];
  let superuser: pg.Client;
  /** A connection of the runtime role's own, outside the service. */
  let asRuntime: pg.Client;
  let server: ChildServer;

  const urlOf = (role: { name: string; password: string }): string => {
    const url = new URL(process.env.TEST_DATABASE_URL ?? '');
    url.username = role.name;
    url.password = role.password;
    url.pathname = `/${database}`;
    return url.toString();
  };
  const twoRoles = (): Record<string, string> => ({
    DATABASE_URL: urlOf(runtime),
    MIGRATIONS_DATABASE_URL: urlOf(owner),
  });
  /** The owner's own connection to the service's database. */
  const asOwner = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: urlOf(owner) });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  const start = async (env: Record<string, string>, label: string) => {
    const child = await startChildServer({ BOOTSTRAP_ADMIN_KEY: adminKey, ...env }, label);
    servers.push(child);
    return child;
  };
  const stop = async (child: ChildServer) => {
    child.proc.kill('SIGINT');
    await child.exited;
  };
  /** The JSON log lines of a server at warning level or above. */
  const warnings = (child: ChildServer): string[] =>
    readFileSync(child.logFile, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; msg: string })
      .filter((line) => line.level >= 40)
      .map((line) => line.msg);
  /** Runs a built command (dist/...) with the test's environment; its output and exit status. */
  const command = (args: string[], env: Record<string, string>) => {
    const run = spawnSync(process.execPath, args, {
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });
    // migrate.js prefixes each line with the time since its start: "[  0.3s] ".
    const lines = run.stdout.split('\n').map((line) => line.replace(/^\[\s*\d+\.\ds\] /, ''));
    return { status: run.status, lines: lines.filter((line) => line !== ''), stderr: run.stderr };
  };
  /** The runtime role's privileges in the database, table by table (sequences included). */
  const runtimePrivileges = async () =>
    (
      await asRuntime.query<{ relname: string; privileges: string }>(
        `SELECT c.relname, string_agg(a.privilege_type, ',' ORDER BY a.privilege_type) AS privileges
           FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a
          WHERE c.relnamespace = 'public'::regnamespace AND a.grantee = $1::regrole
          GROUP BY c.relname ORDER BY c.relname`,
        [runtime.name],
      )
    ).rows;
  const EXACT_PRIVILEGES = [
    { relname: 'api_keys', privileges: 'INSERT,SELECT,UPDATE' },
    { relname: 'audit_events', privileges: 'INSERT,SELECT' },
    { relname: 'outbox_events', privileges: 'DELETE,INSERT,SELECT,UPDATE' },
    { relname: 'users', privileges: 'INSERT,SELECT,UPDATE' },
  ];
  const auditRows = async () =>
    (
      await asRuntime.query(
        'SELECT id, occurred_at, action, actor_user_id, target_user_id, metadata FROM audit_events ORDER BY id',
      )
    ).rows;

  beforeAll(async () => {
    superuser = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await superuser.connect();
    for (const role of [owner, runtime])
      await superuser.query(`CREATE ROLE ${role.name} LOGIN PASSWORD '${role.password}'`);
    // The owner owns the database, and so (PostgreSQL 15) its public schema, where the migrations create the tables.
    await superuser.query(`CREATE DATABASE ${database} OWNER ${owner.name}`);
    server = await start(
      {
        ...twoRoles(),
        NATS_URL,
        NATS_STREAM: stream.stream,
        NATS_SUBJECT_PREFIX: stream.subjectPrefix,
        DELETED_USER_RETENTION_DAYS: '1',
        RETENTION_SCHEDULE: 'off',
      },
      'roles',
    );
    asRuntime = new pg.Client({ connectionString: urlOf(runtime) });
    await asRuntime.connect();
  });

  afterAll(async () => {
    for (const child of servers) child.kill();
    await Promise.all(servers.map((child) => child.exited));
    await asRuntime?.end();
    await deleteStream(NATS_URL, stream.stream).catch(() => undefined);
    if (superuser) {
      await superuser.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      for (const role of [owner, runtime]) {
        // What the role may still own or hold in this (the superuser's) database, then the role.
        await superuser.query(`DROP OWNED BY ${role.name}`).catch(() => undefined);
        await superuser.query(`DROP ROLE IF EXISTS ${role.name}`);
      }
      await superuser.end();
    }
  });

  it('migrates as the owner: the tables are the owner’s, the runtime role holds exactly its grants', async () => {
    const owners = await asRuntime.query<{ relname: string; owner: string }>(
      `SELECT relname, pg_get_userbyid(relowner) AS owner FROM pg_class
        WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY relname`,
    );
    expect(owners.rows).toEqual(
      ['api_keys', 'audit_events', 'outbox_events', 'typeorm_migrations', 'users'].map((relname) => ({
        relname,
        owner: owner.name,
      })),
    );
    // Every table but the migrations' own has its grants (a migration that adds a table without
    // granting it fails here), and nothing else: no sequence, no TRIGGER or REFERENCES, no TRUNCATE.
    expect(await runtimePrivileges()).toEqual(EXACT_PRIVILEGES);
    expect(warnings(server)).toEqual([]);
  });

  it('serves over the runtime role: create a user, a key, soft delete, events, retention; the audit rows written', async () => {
    const json = { 'Content-Type': 'application/json' };
    const created = await server.request('/v1/user', {
      method: 'POST',
      headers: { ...json, 'X-API-Key': adminKey },
      body: JSON.stringify({ email: `roles-${suffix}@example.com` }),
    });
    expect(created.status).toBe(201);
    const { user, api_key: userKey } = (await created.json()) as { user: { id: string }; api_key: string };

    const key = await server.request('/v1/user/api-keys', {
      method: 'POST',
      headers: { ...json, 'X-API-Key': userKey },
      body: JSON.stringify({ name: 'second' }),
    });
    expect(key.status).toBe(201);

    const deleted = await server.request(`/v1/user/${user.id}`, {
      method: 'DELETE',
      headers: { 'X-API-Key': userKey },
    });
    expect(deleted.status).toBe(200);
    expect(await deleted.json()).toEqual({
      success: true,
      message: 'User account deleted successfully',
      user_id: user.id,
    });
    expect((await server.request('/health/ready')).status).toBe(200);

    // The relay claims, leases and marks the outbox rows as the runtime role.
    await waitUntil(
      async () =>
        (
          await asRuntime.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM outbox_events WHERE user_id = $1 AND published_at IS NULL',
            [user.id],
          )
        ).rows[0]!.n === 0,
      'the outbox rows of the user to be published',
    );

    // Retention anonymizes as the runtime role too (backdating the deletion is an UPDATE of users it may make).
    await asRuntime.query(`UPDATE users SET deleted_at = now() - interval '2 days' WHERE id = $1`, [user.id]);
    const retention = command(['dist/src/cli/retention.js'], {
      ...twoRoles(),
      DELETED_USER_RETENTION_DAYS: '1',
    });
    expect(retention.stderr).toBe('');
    expect(retention.status).toBe(0);
    expect(retention.lines.at(-1)).toMatch(/^Done: 1 of 1 due users anonymized in 1 batches/);

    const audit = await asRuntime.query<{ action: string; actor_user_id: string | null }>(
      'SELECT action, actor_user_id FROM audit_events WHERE target_user_id = $1 ORDER BY id',
      [user.id],
    );
    expect(audit.rows.map((row) => row.action)).toEqual([
      'user.created',
      'api_key.created',
      'api_key.created',
      'user.deleted',
      'user.anonymized',
    ]);
  });

  it('the runtime role cannot update, delete, truncate, unprotect, alter or drop the audit log', async () => {
    const before = await auditRows();
    expect(before.length).toBeGreaterThan(0);
    const refused = async (sql: string) => {
      try {
        await asRuntime.query(sql);
      } catch (error) {
        const { code, message } = error as { code: string; message: string };
        return { code, message };
      }
      return { code: 'none', message: `${sql} succeeded` };
    };
    const denied = { code: '42501', message: 'permission denied for table audit_events' };
    const notOwner = { code: '42501', message: 'must be owner of table audit_events' };
    expect(await refused(`UPDATE audit_events SET action = 'user.tampered'`)).toEqual(denied);
    expect(await refused('DELETE FROM audit_events')).toEqual(denied);
    expect(await refused('TRUNCATE audit_events')).toEqual(denied);
    expect(
      await refused(
        'CREATE TRIGGER tamper BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()',
      ),
    ).toEqual(denied);
    // PostgreSQL words this one "relation".
    const notOwnerOfRelation = { code: '42501', message: 'must be owner of relation audit_events' };
    expect(await refused('DROP TRIGGER audit_events_no_update_or_delete ON audit_events')).toEqual(notOwnerOfRelation);
    expect(await refused('DROP TRIGGER audit_events_no_truncate ON audit_events')).toEqual(notOwnerOfRelation);
    expect(await refused('ALTER TABLE audit_events DISABLE TRIGGER ALL')).toEqual(notOwner);
    expect(await refused(`ALTER TABLE audit_events OWNER TO ${runtime.name}`)).toEqual(notOwner);
    expect(await refused('DROP TABLE audit_events')).toEqual(notOwner);
    // Replacing the trigger's function: refused before ownership is even asked, as the role may
    // create nothing in the schema.
    expect(
      await refused(
        'CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$',
      ),
    ).toEqual({ code: '42501', message: 'permission denied for schema public' });
    expect(await auditRows()).toEqual(before);
  });

  it('warns at start-up when the runtime role can change audit rows; migration:run takes the grants back', async () => {
    await asOwner((client) => client.query(`GRANT UPDATE, DELETE ON audit_events TO ${runtime.name}`));
    const lax = await start({ ...twoRoles(), MIGRATIONS_RUN: 'false' }, 'roles-lax');
    expect(warnings(lax)).toEqual([
      `The runtime role "${runtime.name}" (DATABASE_URL) holds UPDATE, DELETE on audit_events, so the ` +
        "service's own connection could rewrite or empty the audit log. Use a role that owns nothing and " +
        'holds only the grants of docs/deployment.md.',
    ]);
    await stop(lax);

    const run = command(['dist/src/cli/migrate.js', 'run'], twoRoles());
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    // TypeORM's own progress lines come between these.
    expect(run.lines[0]).toBe('Connecting to PostgreSQL as the schema owner (MIGRATIONS_DATABASE_URL)...');
    expect(run.lines.slice(-2)).toEqual([
      'Up to date.',
      `Granted the runtime role "${runtime.name}" what it needs, and nothing more (docs/deployment.md).`,
    ]);
    expect(await runtimePrivileges()).toEqual(EXACT_PRIVILEGES);
  });

  it('warns when the runtime role is the owner, and then grants nothing', async () => {
    const same = await start({ DATABASE_URL: urlOf(owner), MIGRATIONS_DATABASE_URL: urlOf(owner) }, 'roles-same');
    expect(warnings(same)).toEqual([
      `The runtime role "${owner.name}" (DATABASE_URL) owns the tables, so the service's own connection could ` +
        'rewrite or empty the audit log. Use a role that owns nothing and holds only the grants of docs/deployment.md.',
    ]);
    await stop(same);
    expect(await runtimePrivileges()).toEqual(EXACT_PRIVILEGES);
  });

  it('never writes either password to its logs', () => {
    for (const child of servers) {
      const log = readFileSync(child.logFile, 'utf8');
      expect(log).not.toContain(owner.password);
      expect(log).not.toContain(runtime.password);
    }
  });
});
