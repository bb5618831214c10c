import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectEnvelope } from './support/envelope.js';
import { EMAIL_TAKEN } from './support/lifecycle-errors.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** One address, however it is spelled, is one account. */
describe('e-mail addresses are normalized before they are stored and compared', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const create = (apiKey: string, email: string) =>
    t.request('/v1/user', {
      method: 'POST',
      headers: { 'X-API-Key': apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ email }),
    });
  const liveRows = (email: string) =>
    t.db.query('SELECT email FROM users WHERE is_deleted = false AND email = $1', [email]);

  it.each([
    ['composed vs decomposed é', 'Jos\u00e9@example.com', 'jose\u0301@EXAMPLE.com', 'jos\u00e9@example.com'],
    [
      'an internationalized domain vs its punycode',
      'ana@b\u00fccher.example',
      'Ana@XN--BCHER-KVA.example',
      'ana@xn--bcher-kva.example',
    ],
    ['a decomposed IDN vs its punycode', 'ana@bu\u0308cher.test', 'ana@xn--bcher-kva.test', 'ana@xn--bcher-kva.test'],
  ])('%s: one account, the second create is 409', async (_label, first, second, stored) => {
    const admin = await t.users.admin();
    const created = await create(admin.apiKey, first);
    expect(created.status).toBe(201);
    expect((await created.json()).user.email).toBe(stored);
    await expectEnvelope(await create(admin.apiKey, second), EMAIL_TAKEN);
    expect(await liveRows(stored)).toEqual([{ email: stored }]);
  });
});
