import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectEnvelope } from './support/envelope.js';
import { validationError } from './support/lifecycle-errors.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Input the validators used to accept but the database (or `new Date`) did not: 422, never 500. */
describe('input the database cannot take', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('GET /v1/audit-events from/to', () => {
    const events = async (query: string) => {
      const admin = await t.users.create({ role: 'role_admin' });
      return t.request(`/v1/audit-events${query}`, { headers: { 'X-API-Key': admin.apiKey } });
    };

    it.each(['2025-W01', '2025-W01-1', '20250101T101010Z', '2025-001', '2025-01-01T10:10:10', '2025-02-30T00:00:00Z'])(
      'answers 422 VALIDATION_ERROR for from and to = %s',
      async (value) => {
        for (const field of ['from', 'to']) {
          await expectEnvelope(
            await events(`?${field}=${encodeURIComponent(value)}`),
            validationError([{ field, rule: 'isIso8601', message: `${field} must be an ISO 8601 date-time` }]),
          );
        }
      },
    );

    it.each(['2025-01-01T10:10:10Z', '2025-01-01T10:10:10.123+02:00', '2025-01-01T10:10:10-05:30'])(
      'accepts the date-time %s',
      async (value) => {
        const response = await events(`?from=${encodeURIComponent(value)}&to=${encodeURIComponent(value)}`);
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual([]);
      },
    );
  });

  describe('PATCH /v1/user/profile with a lone UTF-16 surrogate', () => {
    it.each([
      ['first_name', '"Ada\\ud800"'],
      ['last_name', '"\\udc00"'],
      ['gender', '"x\\udfff\\ud800y"'],
    ])('answers 422 VALIDATION_ERROR for %s and changes nothing', async (field, json) => {
      const user = await t.users.create();
      const response = await t.request('/v1/user/profile', {
        method: 'PATCH',
        headers: { 'X-API-Key': user.apiKey, 'Content-Type': 'application/json' },
        body: `{"${field}": ${json}}`,
      });
      await expectEnvelope(
        response,
        validationError([{ field, rule: 'isWellFormed', message: `${field} must be valid Unicode text` }]),
      );
      const [row] = await t.db.query(`SELECT ${field} AS value FROM users WHERE id = $1`, [user.id]);
      expect(row).toEqual({ value: null });
    });

    it('still accepts a paired surrogate (an emoji)', async () => {
      const user = await t.users.create();
      const response = await t.request('/v1/user/profile', {
        method: 'PATCH',
        headers: { 'X-API-Key': user.apiKey, 'Content-Type': 'application/json' },
        body: '{"first_name": "Ada \\ud83d\\ude00"}',
      });
      expect(response.status).toBe(200);
      const [row] = await t.db.query('SELECT first_name FROM users WHERE id = $1', [user.id]);
      expect(row).toEqual({ first_name: 'Ada \u{1F600}' });
    });
  });
});
