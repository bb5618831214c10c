import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getDataSourceToken } from '@nestjs/typeorm';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { validateNotesEnvironment } from '../apps/notes/src/config/notes-environment.js';
import { createNotesApp } from '../apps/notes/src/notes-app.factory.js';
import { deleteStream, NATS_URL, readStream, uniqueStream } from './support/nats.js';
import { waitUntil } from './support/nats-outbox.js';
import { createPostgresDatabase, engine, startTestApp, type TestApp } from './support/test-app.js';

/**
 * apps/notes beside the users service, over real HTTP, the shared NATS JetStream (a stream of this
 * file's own) and PostgreSQL. PostgreSQL only (the e2e-postgres project): apps/notes reads the users
 * database through a second connection, and PGlite is one process's database, not shareable.
 */
(engine() !== 'postgres' ? describe.skip : describe).each([['PostgreSQL'], ['PGlite']] as const)(
  'apps/notes with its own database on %s, consuming the users events',
  (notesEngine) => {
    const stream = uniqueStream();
    const consumerName = `notes_${randomBytes(4).toString('hex')}`;
    let users: TestApp;
    /** The notes' own database: a PostgreSQL database of its own, or a PGlite directory (kept across restarts). */
    let notesDb: { url?: string; pgliteDir?: string; drop: () => Promise<void> };
    let notes: { app: NestFastifyApplication; baseUrl: string; db: DataSource } | null = null;

    const startNotes = async () => {
      const env = validateNotesEnvironment({
        NODE_ENV: 'test',
        ...(notesDb.url ? { DATABASE_URL: notesDb.url } : { PGLITE_DIR: notesDb.pgliteDir }),
        USERS_DATABASE_URL: users.databaseUrl,
        NATS_URL,
        NATS_STREAM: stream.stream,
        NATS_SUBJECT_PREFIX: stream.subjectPrefix,
        NOTES_CONSUMER_NAME: consumerName,
      });
      const app = await createNotesApp(env);
      await app.listen({ port: 0, host: '127.0.0.1' });
      const address = app.getHttpServer().address();
      if (!address || typeof address === 'string') throw new Error('no TCP address');
      notes = { app, baseUrl: `http://127.0.0.1:${address.port}`, db: app.get<DataSource>(getDataSourceToken()) };
      return notes;
    };
    const stopNotes = async () => {
      await notes?.app.close();
      notes = null;
    };

    const addNote = (apiKey: string, text: string) =>
      fetch(`${notes!.baseUrl}/v1/notes`, {
        method: 'POST',
        headers: { 'X-API-Key': apiKey, 'Content-Type': 'application/json' },
        body: JSON.stringify({ text }),
      });
    const deleteUser = (user: { id: string; apiKey: string }) =>
      users.request(`/v1/user/${user.id}`, { method: 'DELETE', headers: { 'X-API-Key': user.apiKey } });
    /** The notes of a user as stored: [text, hidden?]. */
    const storedNotes = async (userId: string, db: DataSource = notes!.db): Promise<Array<[string, boolean]>> =>
      (
        await db.query<Array<{ text: string; hidden_at: Date | null }>>(
          'SELECT text, hidden_at FROM notes WHERE user_id = $1 ORDER BY created_at, id',
          [userId],
        )
      ).map((r) => [r.text, r.hidden_at !== null]);
    const eventIdOf = async (userId: string, type: string): Promise<string> =>
      (
        await users.db.query<Array<{ event_id: string }>>(
          'SELECT event_id::text FROM outbox_events WHERE user_id = $1 AND type = $2',
          [userId, type],
        )
      )[0]!.event_id;

    beforeAll(async () => {
      users = await startTestApp({ NATS_URL, NATS_STREAM: stream.stream, NATS_SUBJECT_PREFIX: stream.subjectPrefix });
      if (notesEngine === 'PostgreSQL') notesDb = await createPostgresDatabase();
      else {
        const dir = mkdtempSync(join(tmpdir(), 'notes-pglite-'));
        notesDb = { pgliteDir: dir, drop: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })) };
      }
      await startNotes();
    });
    afterAll(async () => {
      await stopNotes();
      await users?.close();
      await notesDb?.drop();
      await deleteStream(NATS_URL, stream.stream);
    });

    it('authenticates with the users service’s keys: 401 without or with a bad key, 201 and the caller’s notes with one', async () => {
      const alice = await users.users.create();
      const bob = await users.users.create();
      expect((await fetch(`${notes!.baseUrl}/v1/notes`)).status).toBe(401);
      expect((await addNote('ak_' + 'x'.repeat(40), 'nope')).status).toBe(401);
      const created = await addNote(alice.apiKey, 'first');
      expect(created.status).toBe(201);
      expect(await created.json()).toEqual({
        id: expect.stringMatching(/^note_[0-9a-f]{32}$/),
        user_id: alice.id,
        text: 'first',
        created_at: expect.any(String),
      });
      expect((await addNote(bob.apiKey, 'bob’s')).status).toBe(201);
      const list = await fetch(`${notes!.baseUrl}/v1/notes`, { headers: { 'X-API-Key': alice.apiKey } });
      expect(list.status).toBe(200);
      expect(((await list.json()) as { items: Array<{ text: string }> }).items.map((n) => n.text)).toEqual(['first']);
    });

    it('a user deleted over HTTP has their notes hidden within 5 s, and the message’s trace_id is the delete’s X-Request-Id', async () => {
      const user = await users.users.create();
      const other = await users.users.create();
      expect((await addNote(user.apiKey, 'mine')).status).toBe(201);
      expect((await addNote(other.apiKey, 'not mine')).status).toBe(201);
      const started = Date.now();
      const response = await deleteUser(user);
      expect(response.status).toBe(200);
      await waitUntil(async () => (await storedNotes(user.id))[0]![1], 'apps/notes to hide the notes', 5000);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(await storedNotes(user.id)).toEqual([['mine', true]]);
      expect(await storedNotes(other.id)).toEqual([['not mine', false]]);

      const eventId = await eventIdOf(user.id, 'user.deleted');
      const message = (await readStream(NATS_URL, stream.stream)).find((m) => m.msgId === eventId)!;
      expect(message.payload.trace_id).toBe(response.headers.get('x-request-id'));
      expect(
        await notes!.db.query('SELECT event_id::text, type FROM handled_user_events WHERE event_id = $1', [eventId]),
      ).toEqual([{ event_id: eventId, type: 'user.deleted' }]);
    });

    it('the same event delivered twice is acted on once', async () => {
      const user = await users.users.create();
      expect((await addNote(user.apiKey, 'before')).status).toBe(201);
      expect((await deleteUser(user)).status).toBe(200);
      await waitUntil(async () => (await storedNotes(user.id))[0]![1], 'the first delivery to be handled');
      // A note that appears afterwards (written directly): acting again on the same event would hide it.
      await notes!.db.query(`INSERT INTO notes (id, user_id, text) VALUES ($1, $2, 'after')`, [
        `note_${randomBytes(16).toString('hex')}`,
        user.id,
      ]);
      const eventId = await eventIdOf(user.id, 'user.deleted');
      const original = (await readStream(NATS_URL, stream.stream)).find((m) => m.msgId === eventId)!;
      // The same event again under another message id, so JetStream does not drop it as a duplicate.
      const nc = await connect({ servers: NATS_URL });
      await jetstream(nc).publish(original.subject, JSON.stringify(original.payload), { msgID: `${eventId}-again` });
      // A marker after it: once it is handled, so is the duplicate (one message at a time, in order).
      const marker = await users.users.create();
      expect((await addNote(marker.apiKey, 'marker')).status).toBe(201);
      expect((await deleteUser(marker)).status).toBe(200);
      await nc.close();
      await waitUntil(async () => (await storedNotes(marker.id))[0]![1], 'the marker to be handled');
      expect(await storedNotes(user.id)).toEqual([
        ['before', true],
        ['after', false],
      ]);
      expect(
        await notes!.db.query('SELECT count(*)::int AS n FROM handled_user_events WHERE event_id = $1', [eventId]),
      ).toEqual([{ n: 1 }]);
    });

    it('apps/notes down while events are published: it catches up when it starts', async () => {
      const gone = await Promise.all(Array.from({ length: 3 }, () => users.users.create()));
      for (const u of gone) expect((await addNote(u.apiKey, `note of ${u.id}`)).status).toBe(201);
      await stopNotes();
      for (const u of gone) expect((await deleteUser(u)).status).toBe(200);
      const ids = await Promise.all(gone.map((u) => eventIdOf(u.id, 'user.deleted')));
      await waitUntil(async () => {
        const onStream = new Set((await readStream(NATS_URL, stream.stream)).map((m) => m.msgId));
        return ids.every((id) => onStream.has(id));
      }, 'the relay to publish while apps/notes is down');
      await startNotes();
      for (const u of gone)
        await waitUntil(async () => (await storedNotes(u.id))[0]![1], 'apps/notes to catch up', 15_000);
      expect(await Promise.all(gone.map((u) => storedNotes(u.id)))).toEqual(
        gone.map((u) => [[`note of ${u.id}`, true]]),
      );
    });

    (notesEngine === 'PGlite' ? it.skip : it)(
      'the built app (npm run start:notes) refuses to start without USERS_DATABASE_URL, in one line',
      async () => {
        const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
          const child = execFile(
            process.execPath,
            ['dist/apps/notes/src/main.js'],
            { env: { PATH: process.env.PATH, PGLITE_DIR: 'memory://' }, timeout: 20_000 },
            (error, _stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr }),
          );
          child.stdin?.end();
        });
        expect({ code, stderr }).toEqual({
          code: 1,
          stderr:
            'notes: USERS_DATABASE_URL: USERS_DATABASE_URL is required: the users service’s PostgreSQL (postgres://...)\n',
        });
      },
    );
  },
);
