import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectWithMessage } from './support/expect-with-message.js';
import { AUTHENTICATION_REQUIRED, expectEnvelope, PAYLOAD_TOO_LARGE } from './support/envelope.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('the error envelope and trace ids', () => {
  let t: TestApp;
  let adminKey: string;

  beforeAll(async () => {
    t = await startTestApp({ BODY_LIMIT_BYTES: '2048' });
    adminKey = (await t.users.admin()).apiKey;
  });
  afterAll(async () => {
    await t?.close();
  });

  const postUser = (body: string, headers: Record<string, string> = {}) =>
    t.request('/v1/user', {
      method: 'POST',
      headers: { 'X-API-Key': adminKey, 'Content-Type': 'application/json', ...headers },
      body,
    });

  it('answers unknown routes with 404 NOT_FOUND, without echoing the query string', async () => {
    const response = await t.request('/v1/nope?api_key=ak_secretsecretsecretsecretsecretsecret1234');
    const body = await expectEnvelope(response, {
      status: 404,
      code: 'NOT_FOUND',
      type: 'client_error',
      message: 'The requested resource does not exist.',
      system_message: 'No route matches GET /v1/nope.',
    });
    expect(JSON.stringify(body)).not.toContain('ak_secret');
  });

  it('answers an undocumented method on a known path with 404 NOT_FOUND', async () => {
    await expectEnvelope(await t.request('/v1/user/usr_x', { method: 'PUT', headers: { 'X-API-Key': adminKey } }), {
      status: 404,
      code: 'NOT_FOUND',
      type: 'client_error',
      message: 'The requested resource does not exist.',
      system_message: 'No route matches PUT /v1/user/usr_x.',
    });
  });

  it('answers malformed JSON with 400 BAD_REQUEST and no parser text', async () => {
    const body = await expectEnvelope(await postUser('{"email": '), {
      status: 400,
      code: 'BAD_REQUEST',
      type: 'client_error',
      message: 'The request is malformed.',
      system_message: 'The request body is not valid JSON.',
    });
    expect(JSON.stringify(body)).not.toMatch(/position|Unexpected|SyntaxError/);
  });

  it('answers an empty JSON body with 400 BAD_REQUEST', async () => {
    await expectEnvelope(await postUser(''), {
      status: 400,
      code: 'BAD_REQUEST',
      type: 'client_error',
      message: 'The request is malformed.',
      system_message: "The body is empty but Content-Type is 'application/json'.",
    });
  });

  it('answers validation failures with 422 VALIDATION_ERROR listing every field and rule, without values', async () => {
    const body = await expectEnvelope(await postUser(JSON.stringify({ email: 'not-an-email', is_admin: true })), {
      status: 422,
      code: 'VALIDATION_ERROR',
      type: 'client_error',
      message: 'Some fields are invalid.',
      system_message: 'is_admin: is_admin is not an accepted field; email: email must be an e-mail address',
      details: {
        fields: [
          { field: 'is_admin', rule: 'unknown_field', message: 'is_admin is not an accepted field' },
          { field: 'email', rule: 'isEmail', message: 'email must be an e-mail address' },
        ],
      },
    });
    expect(JSON.stringify(body)).not.toContain('not-an-email');
  });

  it('answers a JSON body that is not an object with 422 VALIDATION_ERROR', async () => {
    for (const json of ['[]', '"text"', '42', 'null']) {
      const response = await postUser(json);
      expectWithMessage(response.status, json).toBe(422);
      const body = (await response.json()) as { error: { code: string } };
      expect(body.error.code).toBe('VALIDATION_ERROR');
    }
  });

  it('answers a body over the limit with 413 PAYLOAD_TOO_LARGE', async () => {
    await expectEnvelope(
      await postUser(JSON.stringify({ email: `${'a'.repeat(4000)}@example.com` })),
      PAYLOAD_TOO_LARGE,
    );
  });

  it('answers a body that is not JSON with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    for (const type of [
      'application/x-www-form-urlencoded',
      'text/plain',
      'multipart/form-data; boundary=x',
      'application/xml',
    ]) {
      await expectEnvelope(await postUser('email=a@example.com', { 'Content-Type': type }), {
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
        type: 'client_error',
        message: 'The request body must be JSON.',
        system_message: 'Send the body as application/json.',
      });
    }
    const rows = await t.db.query("SELECT 1 FROM users WHERE email = 'a@example.com'");
    expect(rows).toEqual([]);
  });

  it('rejects prototype-poisoning bodies with 400', async () => {
    const response = await postUser('{"email":"p@example.com","__proto__":{"global_role_id":"role_admin"}}');
    await expectEnvelope(response, {
      status: 400,
      code: 'BAD_REQUEST',
      type: 'client_error',
      message: 'The request is malformed.',
      system_message: 'The request body has a forbidden __proto__ or constructor property.',
    });
    const constructorPoisoned = await postUser('{"email":"c@example.com","constructor":{"prototype":{"x":1}}}');
    expect(constructorPoisoned.status).toBe(400);
  });

  it('adopts a safe inbound X-Request-Id and returns it as the header and trace_id', async () => {
    const response = await t.request('/v1/user/usr_x', {
      method: 'DELETE',
      headers: { 'X-Request-Id': 'client-trace:42.a_b-c' },
    });
    expect(response.headers.get('x-request-id')).toBe('client-trace:42.a_b-c');
    await expectEnvelope(response, AUTHENTICATION_REQUIRED);
  });

  it('replaces an unsafe or overlong inbound X-Request-Id with its own', async () => {
    for (const inbound of ['has space', 'x'.repeat(129), 'semi;colon', '<script>']) {
      const response = await t.request('/health', { headers: { 'X-Request-Id': inbound } });
      expect(response.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{24}$/);
    }
  });

  it('sends X-Request-Id on successes too', async () => {
    const response = await t.request('/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', database: 'up' });
    expect(response.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{24}$/);
  });
});
