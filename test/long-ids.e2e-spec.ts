import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DELETE_FORBIDDEN, expectEnvelope, USER_NOT_FOUND } from './support/envelope.js';
import { API_KEY_NOT_FOUND } from './support/lifecycle-errors.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Ids of every length a URL can carry: the answer depends on whose id it is, never on its length. */
describe('path ids of any length', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const LENGTHS = [1, 36, 99, 100, 101, 200, 1000, 4000];
  const idOf = (length: number) => 'usr_'.concat('a'.repeat(length)).slice(0, length);

  it("DELETE /v1/user/{user_id} answers 403 for every id that is not the caller's", async () => {
    const member = await t.users.create();
    for (const length of LENGTHS) {
      const response = await t.request(`/v1/user/${idOf(length)}`, {
        method: 'DELETE',
        headers: { 'X-API-Key': member.apiKey },
      });
      await expectEnvelope(response, DELETE_FORBIDDEN);
    }
    const [row] = await t.db.query('SELECT is_deleted FROM users WHERE id = $1', [member.id]);
    expect(row).toEqual({ is_deleted: false });
  });

  it('GET /v1/user/{user_id} and POST /v1/user/{user_id}/restore answer 404 USER_NOT_FOUND to an admin', async () => {
    const admin = await t.users.create({ role: 'role_admin' });
    for (const length of LENGTHS) {
      const headers = { 'X-API-Key': admin.apiKey };
      await expectEnvelope(await t.request(`/v1/user/${idOf(length)}`, { headers }), USER_NOT_FOUND);
      await expectEnvelope(
        await t.request(`/v1/user/${idOf(length)}/restore`, { method: 'POST', headers }),
        USER_NOT_FOUND,
      );
    }
  });

  it('DELETE /v1/user/api-keys/{key_id} answers 404 API_KEY_NOT_FOUND', async () => {
    const member = await t.users.create();
    for (const length of LENGTHS) {
      const response = await t.request(`/v1/user/api-keys/${'key_'.concat('b'.repeat(length)).slice(0, length)}`, {
        method: 'DELETE',
        headers: { 'X-API-Key': member.apiKey },
      });
      await expectEnvelope(response, API_KEY_NOT_FOUND);
    }
  });
});
