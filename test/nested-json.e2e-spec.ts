import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectEnvelope } from './support/envelope.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** `{"a":{"a":…{}…}}` with `depth` objects, and the same nesting with arrays. */
const nestedObject = (depth: number) => `${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`;
const nestedArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

const TOO_DEEP = {
  status: 400,
  code: 'INVALID_JSON',
  type: 'client_error',
  message: 'The request body is not valid JSON.',
  system_message: 'The request body nests objects and arrays deeper than 32 levels.',
};

describe('deeply nested JSON bodies', () => {
  let t: TestApp;
  let member: { id: string; apiKey: string };

  beforeAll(async () => {
    t = await startTestApp();
    member = await t.users.create();
  });
  afterAll(async () => {
    await t?.close();
  });

  const send = (method: string, path: string, body: string, apiKey: string | undefined = member.apiKey) =>
    t.request(path, {
      method,
      headers: { ...(apiKey ? { 'X-API-Key': apiKey } : {}), 'Content-Type': 'application/json' },
      body,
    });

  it('answers 1,400 levels with 400 INVALID_JSON, not 500, on the routes that take a body', async () => {
    for (const [method, path] of [
      ['POST', '/v1/user/api-keys'],
      ['PATCH', '/v1/user/profile'],
      ['POST', '/v1/user'],
    ] as const) {
      for (const body of [nestedObject(1400), nestedArray(1400), `{"name":${nestedArray(1400)}}`]) {
        await expectEnvelope(await send(method, path, body), TOO_DEEP);
      }
    }
    // Nothing was made or changed.
    const keys = await t.db.query('SELECT count(*)::int AS n FROM api_keys WHERE user_id = $1', [member.id]);
    expect(keys).toEqual([{ n: 1 }]);
  });

  it('rejects a deep body without a key, or with a wrong one, as cheaply: 400 before any parse', async () => {
    await expectEnvelope(await send('POST', '/v1/user/api-keys', nestedObject(1400), undefined), TOO_DEEP);
    await expectEnvelope(await send('POST', '/v1/user/api-keys', nestedObject(1400), `ak_${'Z'.repeat(40)}`), TOO_DEEP);
  });

  it('counts depth outside strings only, and accepts 32 levels (33 is too deep)', async () => {
    // Brackets inside a string (escaped quotes included) are text, not nesting.
    const name = `${'['.repeat(40)}\\"{{{`;
    const created = await send('POST', '/v1/user/api-keys', JSON.stringify({ name: name.slice(0, 40) }));
    expect(created.status).toBe(201);
    // 32 levels parse, and reach the validators (an unknown field is 422); 33 do not.
    const deepest = await send('PATCH', '/v1/user/profile', `{"x":${nestedObject(31)}}`);
    expect(deepest.status).toBe(422);
    expect((await deepest.json()).error.code).toBe('VALIDATION_ERROR');
    await expectEnvelope(await send('PATCH', '/v1/user/profile', `{"x":${nestedObject(32)}}`), TOO_DEEP);
    await expectEnvelope(await send('PATCH', '/v1/user/profile', nestedArray(33)), TOO_DEEP);
    const ok = await send('PATCH', '/v1/user/profile', JSON.stringify({ first_name: 'Ada' }));
    expect(ok.status).toBe(200);
  });
});
