import { describe, expect, it } from '@jest/globals';
import { newTraceId, resolveTraceId } from './trace-id.js';

describe('trace ids', () => {
  it('adopts a short safe inbound id', () => {
    for (const id of ['abc', 'req_abc123xyz', '0f8fad5b-d9cb-469f-a165-70867728950e', 'a.b:c_d-e', 'x'.repeat(128)]) {
      expect(resolveTraceId(id)).toBe(id);
    }
  });

  it('makes its own for a missing, empty, long, odd or repeated id', () => {
    for (const id of [undefined, '', 'x'.repeat(129), 'a b', 'a/b', 'ä', 'a\nb', ['a', 'b']]) {
      expect(resolveTraceId(id)).toMatch(/^req_[0-9a-f]{24}$/);
    }
  });

  it('makes distinct ids', () => {
    expect(new Set(Array.from({ length: 1000 }, newTraceId)).size).toBe(1000);
  });
});
