import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { API_KEY_PATTERN, apiKeyDisplayPrefix, generateApiKeySecret, hashApiKeySecret } from './api-key-secret.js';

describe('API key secrets', () => {
  it('are ak_ + 40 base62 characters, and differ every time', () => {
    const secrets = new Set(Array.from({ length: 1000 }, generateApiKeySecret));
    expect(secrets.size).toBe(1000);
    for (const secret of secrets) {
      expect(secret).toMatch(/^ak_[A-Za-z0-9]{40}$/);
      expect(API_KEY_PATTERN.test(secret)).toBe(true);
    }
  });

  it('use every base62 character, with no strong bias', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      for (const c of generateApiKeySecret().slice(3)) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    expect(counts.size).toBe(62);
    const expected = (2000 * 40) / 62;
    for (const n of counts.values()) expect(Math.abs(n - expected) / expected).toBeLessThan(0.2);
  });

  it('are stored as their SHA-256 hex digest and shown by a short prefix', () => {
    const secret = 'ak_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789ABCD';
    expect(hashApiKeySecret(secret)).toBe(createHash('sha256').update(secret).digest('hex'));
    expect(apiKeyDisplayPrefix(secret)).toBe('ak_AbCdEfG');
  });
});
