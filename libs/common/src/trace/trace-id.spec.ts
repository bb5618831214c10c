import { describe, expect, it } from '@jest/globals';
import { newTraceId, resolveTraceId } from './trace-id.js';

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const keyBody = (length: number, offset = 0): string =>
  Array.from({ length }, (_, i) => BASE62[(i * 7 + offset) % 62]).join('');

describe('trace ids', () => {
  it('adopts a UUID or a short safe inbound id', () => {
    for (const id of [
      'abc',
      'req_abc123xyz',
      'req_0f8fad5bd9cb469fa16570867',
      '0f8fad5b-d9cb-469f-a165-70867728950e',
      '0F8FAD5B-D9CB-469F-A165-70867728950E',
      'a.b:c_d-e',
      'x'.repeat(31),
      `${'x'.repeat(31)}-${'y'.repeat(31)}`,
    ]) {
      expect(resolveTraceId(id)).toBe(id);
    }
  });

  it('makes its own for a missing, empty, long, odd or repeated id', () => {
    for (const id of [undefined, '', 'x'.repeat(65), 'a b', 'a/b', 'ä', 'a\nb', ['a', 'b']]) {
      expect(resolveTraceId(id)).toMatch(/^req_[0-9a-f]{24}$/);
    }
  });

  it('never adopts an API key, with or without its prefix, whatever its length', () => {
    for (let length = 32; length <= 64; length++) {
      for (const id of [
        `ak_${keyBody(length)}`,
        keyBody(length, 3),
        `req-${keyBody(length, 5)}`,
        `ak_${keyBody(length)}.x`,
      ]) {
        expect(resolveTraceId(id)).toMatch(/^req_[0-9a-f]{24}$/);
      }
    }
  });

  it('makes distinct ids', () => {
    expect(new Set(Array.from({ length: 1000 }, newTraceId)).size).toBe(1000);
  });
});
