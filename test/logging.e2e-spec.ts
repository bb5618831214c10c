import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectWithMessage } from './support/expect-with-message.js';
import { readFileSync } from 'node:fs';
import { hashApiKeySecret } from '@users-service/users';
import { API_KEY_IN_TEXT } from './support/logs.mjs';
import { startTestApp, type TestApp } from './support/test-app.js';

type LogLine = Record<string, unknown> & { level: number; msg?: string; trace_id?: string };

/** Pino writes synchronously to the file; give the last line a moment anyway. */
async function readLog(file: string): Promise<LogLine[]> {
  await new Promise((r) => setTimeout(r, 50));
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as LogLine);
}

describe('structured JSON logs', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ LOG_LEVEL: 'info' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('are JSON lines; each line of a request carries its trace id; no key ever appears', async () => {
    const user = await t.users.create();
    const other = await t.users.create();
    const unknownKey = `ak_${'Z'.repeat(40)}`;
    const traceIds: string[] = [];
    const send = async (path: string, init: RequestInit) => {
      const response = await t.request(path, init);
      traceIds.push(response.headers.get('x-request-id')!);
      await response.arrayBuffer();
      return response.status;
    };

    // A failed authentication, a denied authorization, keys in every place a client might put them.
    expect(await send(`/v1/user/${other.id}`, { method: 'DELETE', headers: { 'X-API-Key': unknownKey } })).toBe(401);
    expect(await send(`/v1/user/${other.id}`, { method: 'DELETE', headers: { 'X-API-Key': user.apiKey } })).toBe(403);
    expect(
      await send(`/v1/user/${user.id}?api_key=${user.apiKey}`, {
        method: 'DELETE',
        headers: { Authorization: `Bearer ${user.apiKey}` },
      }),
    ).toBe(401);
    expect(
      await send('/v1/user', {
        method: 'POST',
        headers: { 'X-API-Key': user.apiKey, 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: 'x@example.test', api_key: user.apiKey }),
      }),
    ).toBe(403);
    expect(await send(`/nowhere/${user.apiKey}`, { headers: { 'X-API-Key': user.apiKey } })).toBe(404);

    const text = readFileSync(t.logFile, 'utf8');
    expect(text.match(API_KEY_IN_TEXT)).toBeNull();
    for (const secret of [user.apiKey, other.apiKey, unknownKey]) expect(text).not.toContain(secret);

    const lines = await readLog(t.logFile);
    for (const traceId of traceIds) {
      const ofRequest = lines.filter((l) => l.trace_id === traceId);
      // At least "incoming request" and "request completed".
      expect(ofRequest.length).toBeGreaterThanOrEqual(2);
    }
    // Every line about a request (request logs, guard decisions, errors) carries a trace id.
    for (const line of lines.filter((l) => 'req' in l || 'res' in l || 'event' in l)) {
      expectWithMessage(line.trace_id, JSON.stringify(line)).toMatch(/^req_[0-9a-f]{24}$/);
    }

    const failed = lines.find((l) => l.event === 'authentication_failed' && l.trace_id === traceIds[0]);
    expect(failed).toMatchObject({
      level: 40,
      key_hash_prefix: hashApiKeySecret(unknownKey).slice(0, 12),
      ip: '127.0.0.1',
    });
    const denied = lines.find((l) => l.event === 'authorization_denied' && l.trace_id === traceIds[1]);
    expect(denied).toMatchObject({ level: 40, user_id: user.id, api_key_id: user.apiKeyId });
    // The request log has the path but not the query string (where a key may hide).
    const incoming = lines.find((l) => l.trace_id === traceIds[2] && l.msg === 'incoming request');
    expect(incoming?.req).toEqual({ method: 'DELETE', path: `/v1/user/${user.id}`, remote_address: '127.0.0.1' });
    // Nest's own lines go through the same pino logger.
    expect(
      lines.some((l) => l.context === 'NestApplication' && l.msg === 'Nest application successfully started'),
    ).toBe(true);
  });
});

describe('an API key where a trace id or a path goes', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ LOG_LEVEL: 'info' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is never adopted as the trace id, so neither the logs nor the audit log hold it', async () => {
    const user = await t.users.create();
    const response = await t.request('/v1/user/api-keys', {
      method: 'POST',
      headers: { 'X-API-Key': user.apiKey, 'X-Request-Id': user.apiKey, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(201);
    await response.arrayBuffer();
    const traceId = response.headers.get('x-request-id');
    expect(traceId).toMatch(/^req_[0-9a-f]{24}$/);
    const rows = await t.db.query(
      "SELECT trace_id FROM audit_events WHERE target_user_id = $1 AND action = 'api_key.created'",
      [user.id],
    );
    expect(rows).toEqual([{ trace_id: traceId }]);
    // A safe inbound id (a UUID) is still adopted, so a trace crosses services.
    const uuid = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const adopted = await t.request('/health/live', { headers: { 'X-Request-Id': uuid } });
    expect(adopted.headers.get('x-request-id')).toBe(uuid);
    const text = readFileSync(t.logFile, 'utf8');
    expect(text).not.toContain(user.apiKey);
    expect(text.match(API_KEY_IN_TEXT)).toBeNull();
  });

  it('is redacted from a logged path even when percent-encoded', async () => {
    const user = await t.users.create();
    const encoded = [
      `%61k_${user.apiKey.slice(3)}`,
      `ak%5F${user.apiKey.slice(3)}`,
      encodeURIComponent(encodeURIComponent(user.apiKey).replace('a', '%61')),
      [...user.apiKey].map((c) => `%${c.charCodeAt(0).toString(16)}`).join(''),
    ];
    for (const segment of encoded) {
      const response = await t.request(`/nowhere/${segment}`);
      expect(response.status).toBe(404);
      await response.arrayBuffer();
    }
    const lines = await readLog(t.logFile);
    const paths = lines.filter((l) => l.msg === 'incoming request').map((l) => (l.req as { path: string }).path);
    expect(paths.filter((p) => p.startsWith('/nowhere/'))).toEqual(encoded.map(() => '/nowhere/ak_[redacted]'));
    const text = readFileSync(t.logFile, 'utf8');
    expect(text).not.toContain(user.apiKey.slice(3));
  });
});

describe('LOG_LEVEL', () => {
  it('is respected by request logs and Nest logs alike (warn: no info lines)', async () => {
    const t = await startTestApp({ LOG_LEVEL: 'warn' });
    try {
      const bad = await t.request('/v1/user/usr_x', { method: 'DELETE', headers: { 'X-API-Key': 'nope' } });
      expect(bad.status).toBe(401);
      expect((await t.request('/health/live')).status).toBe(200);
      const lines = await readLog(t.logFile);
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.every((l) => l.level >= 40)).toBe(true);
      expect(lines.some((l) => l.event === 'authentication_failed')).toBe(true);
    } finally {
      await t.close();
    }
  });
});
