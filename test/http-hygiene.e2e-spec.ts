import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect } from 'node:net';
import { expectEnvelope, PAYLOAD_TOO_LARGE } from './support/envelope.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const BAD_REQUEST = {
  status: 400,
  code: 'BAD_REQUEST',
  type: 'client_error',
  message: 'The request is malformed.',
};
/** Node refuses a request head (request line and headers) over 16 KiB before Fastify or Nest see it. */
const HEAD_TOO_LARGE = {
  ...BAD_REQUEST,
  system_message: 'The request line and headers are larger than the service accepts (16 KiB in all).',
};
const UNSUPPORTED = {
  status: 415,
  code: 'UNSUPPORTED_MEDIA_TYPE',
  type: 'client_error',
  message: 'The request body must be JSON.',
  system_message: 'Send the body as application/json.',
};
const notFound = (method: string, path: string) => ({
  status: 404,
  code: 'NOT_FOUND',
  type: 'client_error',
  message: 'The requested resource does not exist.',
  system_message: `No route matches ${method} ${path}.`,
});

/** Sends raw bytes over one TCP connection and returns what came back once the server closed it. */
function rawExchange(port: number, bytes: string, timeoutMs: number): Promise<{ text: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('close', () => resolve({ text, ms: Date.now() - started }));
    socket.on('error', reject);
    setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within ${timeoutMs} ms; got ${JSON.stringify(text)}`));
    }, timeoutMs);
  });
}

describe('HTTP hygiene', () => {
  let t: TestApp;
  let admin: { apiKey: string };

  beforeAll(async () => {
    t = await startTestApp({ BODY_LIMIT_BYTES: '2048', REQUEST_TIMEOUT_MS: '1500' });
    admin = await t.users.admin();
  });
  afterAll(async () => {
    await t?.close();
  });

  const post = (body: string, contentType = 'application/json') =>
    t.request('/v1/user', {
      method: 'POST',
      headers: { 'X-API-Key': admin.apiKey, 'Content-Type': contentType },
      body,
    });

  it('answers Cache-Control: no-store on API answers, successes and errors alike', async () => {
    const user = await t.users.create();
    const responses = [
      await t.request('/health'),
      await t.request('/health/live'),
      await t.request('/nowhere'),
      await t.request(`/v1/user/${user.id}`, { method: 'DELETE', headers: { 'X-API-Key': user.apiKey } }),
      await post(JSON.stringify({ email: `nostore.${user.id.slice(-6)}@example.test` })),
    ];
    expect(responses.map((r) => r.status)).toEqual([200, 200, 404, 200, 201]);
    for (const response of responses) expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses a body over BODY_LIMIT_BYTES with 413 in the envelope', async () => {
    const response = await post(JSON.stringify({ email: 'big@example.test', pad: 'x'.repeat(4096) }));
    await expectEnvelope(response, PAYLOAD_TOO_LARGE);
  });

  it('refuses a chunked body (no Content-Length) over BODY_LIMIT_BYTES with 413 in the envelope', async () => {
    const bytes = new TextEncoder().encode(JSON.stringify({ email: 'chunked@example.test', pad: 'x'.repeat(4096) }));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 1000) controller.enqueue(bytes.slice(i, i + 1000));
        controller.close();
      },
    });
    const response = await t.request('/v1/user', {
      method: 'POST',
      headers: { 'X-API-Key': admin.apiKey, 'Content-Type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    await expectEnvelope(response, PAYLOAD_TOO_LARGE);
    const count = await t.db.query("SELECT count(*)::int AS n FROM users WHERE email = 'chunked@example.test'");
    expect(count).toEqual([{ n: 0 }]);
  });

  it('answers a URL longer than the 16 KiB request head in the envelope: 400 BAD_REQUEST with a trace id', async () => {
    const user = await t.users.create();
    const response = await t.request(`/v1/user/${user.id}${'x'.repeat(17 * 1024)}`, {
      method: 'DELETE',
      headers: { 'X-API-Key': user.apiKey },
    });
    await expectEnvelope(response, HEAD_TOO_LARGE);
    expect(response.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{24}$/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    // Nothing reached the route.
    const [row] = await t.db.query('SELECT is_deleted FROM users WHERE id = $1', [user.id]);
    expect(row).toEqual({ is_deleted: false });
  });

  it('answers headers over the 16 KiB request head the same way', async () => {
    const response = await t.request('/health/live', { headers: { 'X-Padding': 'p'.repeat(17 * 1024) } });
    await expectEnvelope(response, HEAD_TOO_LARGE);
  });

  it('refuses bodies that are not JSON with 415 in the envelope', async () => {
    for (const contentType of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
    ]) {
      await expectEnvelope(await post('email=a@example.test', contentType), UNSUPPORTED);
    }
    const count = await t.db.query("SELECT count(*)::int AS n FROM users WHERE email = 'a@example.test'");
    expect(count).toEqual([{ n: 0 }]);
  });

  it('rejects prototype-poisoning bodies with 400 and creates nothing', async () => {
    for (const body of [
      '{"email":"p1@example.test","__proto__":{"global_role_id":"role_admin"}}',
      '{"email":"p2@example.test","constructor":{"prototype":{"global_role_id":"role_admin"}}}',
      '{"email":"p3@example.test","nested":{"__proto__":{"polluted":true}}}',
    ]) {
      await expectEnvelope(await post(body), {
        ...BAD_REQUEST,
        system_message: 'The request body has a forbidden __proto__ or constructor property.',
      });
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const rows = await t.db.query("SELECT count(*)::int AS n FROM users WHERE email LIKE 'p_@example.test'");
    expect(rows).toEqual([{ n: 0 }]);
  });

  it('answers only the documented methods: any other is 404 in the envelope', async () => {
    const user = await t.users.create();
    for (const [method, path] of [
      ['PUT', `/v1/user/${user.id}`],
      ['PATCH', `/v1/user/${user.id}`],
      ['POST', `/v1/user/${user.id}`],
      ['DELETE', '/v1/user'],
      ['PUT', '/v1/user'],
      ['POST', '/health'],
      ['DELETE', '/health/ready'],
      ['OPTIONS', '/v1/user'],
    ] as const) {
      const response = await t.request(path, { method, headers: { 'X-API-Key': user.apiKey } });
      await expectEnvelope(response, notFound(method, path));
    }
    const [row] = await t.db.query('SELECT is_deleted FROM users WHERE id = $1', [user.id]);
    expect(row).toEqual({ is_deleted: false });
  });

  it('closes a connection whose request does not arrive within REQUEST_TIMEOUT_MS (408)', async () => {
    const port = Number(new URL(t.baseUrl).port);
    // Headers begun but never finished: a slow-loris client.
    const { text, ms } = await rawExchange(port, 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ', 6000);
    expect(text).toMatch(/^HTTP\/1\.1 408/);
    // In the envelope, with the trace id of its X-Request-Id header.
    const [head, body] = text.split('\r\n\r\n') as [string, string];
    expect(JSON.parse(body)).toEqual({
      success: false,
      error: {
        code: 'REQUEST_TIMEOUT',
        message: 'The request took too long to arrive.',
        system_message: 'The request was not received in full within the time the service allows.',
        type: 'client_error',
        status: 408,
        details: {},
        trace_id: /\r\nx-request-id: (req_[0-9a-f]{24})\r\n/.exec(head)?.[1],
        timestamp: expect.stringMatching(/Z$/),
      },
    });
    expect(ms).toBeGreaterThanOrEqual(1400);
    expect(ms).toBeLessThan(4000);
  });
});
