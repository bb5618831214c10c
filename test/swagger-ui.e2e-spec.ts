import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, skipWithoutBrowser } from './support/browser.js';
import { DELETE_FORBIDDEN } from './support/envelope.js';
import { engine, startTestApp, type TestApp } from './support/test-app.js';

/** Proof for people: the 403 answer, then the 200 answer, as Swagger UI showed them. */
const SCREENSHOT_403 = 'test-results/swagger-delete-403.png';
const SCREENSHOT = 'test-results/swagger-delete.png';

/**
 * Swagger UI in a real browser (Debian's chromium driven by playwright-core), under the service's
 * own Content-Security-Policy: authorize with an API key, then "Try it out" on the delete.
 *
 * It runs on PGlite only: it proves the page, the policy and the wiring, which do not depend on the
 * engine, and the delete itself is proven on both engines by delete-user.e2e-spec.ts. One browser
 * run keeps CI quick on two cores.
 */
const skip = engine() !== 'pglite' || skipWithoutBrowser('Swagger UI browser test');

(skip ? describe.skip : describe)('Swagger UI at /docs, in chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  /** CSP violations, console errors and uncaught page errors, as they happen. */
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync('test-results', { recursive: true });
    [t, browser] = await Promise.all([startTestApp(), launchChromium()]);
    page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`);
      });
    });
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** Opens the delete operation, fills user_id, executes; returns the status and the parsed body. */
  async function tryDelete(userId: string): Promise<{ status: number; body: unknown }> {
    const operation = page.locator('#operations-users-deleteUser');
    const input = operation.locator('input[placeholder="user_id"]');
    await input.fill(userId);
    const responseSeen = page.waitForResponse(
      (response) => response.url().endsWith(`/v1/user/${userId}`) && response.request().method() === 'DELETE',
    );
    await operation.locator('button.execute').click();
    await responseSeen;
    const live = operation.locator('.live-responses-table');
    const status = Number(await live.locator('.response .response-col_status').first().innerText());
    const body: unknown = JSON.parse(await live.locator('.response-col_description pre').first().innerText());
    return { status, body };
  }

  it('authorizes with an API key and deletes the account through "Try it out"; 403 for another id', async () => {
    const user = await t.users.create();
    const other = await t.users.create();

    const docs = await page.goto(`${t.baseUrl}/docs`);
    expect(docs?.status()).toBe(200);
    expect(docs?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.locator('#operations-users-deleteUser').waitFor();

    // Authorize dialog: the X-API-Key scheme.
    await page.locator('.auth-wrapper button.authorize').click();
    const dialog = page.locator('.dialog-ux .modal-ux');
    await dialog.locator('input').first().fill(user.apiKey);
    await dialog.locator('button.authorize[type="submit"]').click();
    await dialog.locator('button.btn-done').click();

    await page.locator('#operations-users-deleteUser .opblock-summary').click();
    await page.locator('#operations-users-deleteUser button.try-out__btn').click();

    // 403 first: after the 200 the key is revoked.
    const forbidden = await tryDelete(other.id);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toEqual({
      success: false,
      error: {
        code: DELETE_FORBIDDEN.code,
        message: DELETE_FORBIDDEN.message,
        system_message: DELETE_FORBIDDEN.system_message,
        type: DELETE_FORBIDDEN.type,
        status: 403,
        details: {},
        trace_id: expect.stringMatching(/^req_/),
        timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
      },
    });
    await page.screenshot({ path: SCREENSHOT_403, fullPage: true });

    const deleted = await tryDelete(user.id);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ success: true, message: 'User account deleted successfully', user_id: user.id });

    const [row] = await t.db.query('SELECT is_deleted, is_active, deleted_at FROM users WHERE id = $1', [user.id]);
    expect(row).toMatchObject({ is_deleted: true, is_active: false });
    expect(row.deleted_at).toBeInstanceOf(Date);
    const [untouched] = await t.db.query('SELECT is_deleted FROM users WHERE id = $1', [other.id]);
    expect(untouched).toEqual({ is_deleted: false });

    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // Nothing blocked by the policy, no script error. The 403 itself is an expected network error
    // in the console ("Failed to load resource"), so those are the only lines allowed.
    expect(problems.filter((line) => !/Failed to load resource: .* 403/.test(line))).toEqual([]);
  });
});
