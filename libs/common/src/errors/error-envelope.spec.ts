import { describe, expect, it } from '@jest/globals';
import { isoSeconds } from './error-envelope.js';

describe('isoSeconds', () => {
  it('writes UTC to the second, the milliseconds cut off', () => {
    expect(isoSeconds(new Date('2025-12-22T15:30:00.999Z'))).toBe('2025-12-22T15:30:00Z');
    expect(isoSeconds(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)))).toBe('2026-01-02T03:04:05Z');
  });
});
