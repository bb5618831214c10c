import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectWithMessage } from './support/expect-with-message.js';
import { createHash } from 'node:crypto';
import { startTestApp, type TestApp } from './support/test-app.js';

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** The directives of a Content-Security-Policy header, by name. */
function parsePolicy(header: string | null): Map<string, string[]> {
  const policy = new Map<string, string[]>();
  for (const directive of (header ?? '').split(';')) {
    const [name, ...values] = directive.trim().split(/\s+/);
    if (name) policy.set(name, values);
  }
  return policy;
}

describe('security headers', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('sends helmet headers and the strict policy on every answer: JSON, errors, 404s and the docs', async () => {
    const answers = await Promise.all([
      t.request('/health'),
      t.request('/v1/user/usr_x', { method: 'DELETE' }),
      t.request('/no/such/route'),
      t.request('/v1/user', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{' }),
      t.request('/docs'),
      t.request('/docs-json'),
      t.request('/docs/swagger-ui-init.js'),
    ]);
    for (const response of answers) {
      const policy = parsePolicy(response.headers.get('content-security-policy'));
      expect(policy.get('default-src')).toEqual(["'none'"]);
      expect(policy.get('script-src')).toEqual(["'self'"]);
      expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
      expect(policy.get('object-src')).toEqual(["'none'"]);
      expect(policy.get('base-uri')).toEqual(["'none'"]);
      const everything = [...policy.values()].flat();
      expect(everything).not.toContain("'unsafe-inline'");
      expect(everything).not.toContain("'unsafe-eval'");
      expect(everything.filter((source) => /^https?:|^\*$/.test(source))).toEqual([]);

      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
      expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(response.headers.get('x-request-id')).toBeTruthy();
    }
  });

  // A cheap check of the page itself, without a browser: an upgrade of @nestjs/swagger that changes
  // its inline styles fails here, naming the hash, before anyone opens /docs.
  it.each(['/docs', '/docs/'])(
    'allows exactly the inline styles of the page at %s, and it has no inline script',
    async (path) => {
      const response = await t.request(path);
      const html = await response.text();
      const policy = parsePolicy(response.headers.get('content-security-policy'));

      expect(html).toContain('swagger-ui-init.js');
      const inlineScripts = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)];
      expect(inlineScripts).toEqual([]);

      const styleBlocks = [...html.matchAll(/<style[^>]*>([\s\S]*?)<\/style>/g)].map((m) => sha256(m[1] ?? ''));
      const styleAttributes = [...html.matchAll(/\sstyle="([^"]*)"/g)].map((m) => sha256(m[1] ?? ''));
      expect(styleBlocks.length).toBeGreaterThan(0);
      for (const hash of styleBlocks)
        expectWithMessage(policy.get('style-src'), `add ${hash} to DOCS_INLINE_STYLE_HASHES`).toContain(hash);
      for (const hash of styleAttributes) {
        expectWithMessage(policy.get('style-src-attr'), `add ${hash} to DOCS_INLINE_STYLE_ATTRIBUTE_HASHES`).toContain(
          hash,
        );
      }
    },
  );
});
