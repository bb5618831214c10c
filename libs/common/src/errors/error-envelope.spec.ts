import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { isoSeconds, nowIsoSeconds, toErrorEnvelope } from './error-envelope.js';
import { InvalidApiKeyError } from './errors.js';

describe('isoSeconds', () => {
  it('writes UTC to the second, the milliseconds cut off', () => {
    expect(isoSeconds(new Date('2025-12-22T15:30:00.999Z'))).toBe('2025-12-22T15:30:00Z');
    expect(isoSeconds(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)))).toBe('2026-01-02T03:04:05Z');
  });
});

describe('nowIsoSeconds', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('follows the clock second by second, though it formats once a second', () => {
    jest.useFakeTimers({ now: new Date('2026-11-30T04:00:00.000Z') });
    expect(nowIsoSeconds()).toBe('2026-11-30T04:00:00Z');
    jest.setSystemTime(new Date('2026-11-30T04:00:00.999Z'));
    expect(nowIsoSeconds()).toBe('2026-11-30T04:00:00Z');
    jest.setSystemTime(new Date('2026-11-30T04:00:01.000Z'));
    expect(nowIsoSeconds()).toBe('2026-11-30T04:00:01Z');
    // A clock set back (NTP) is followed too.
    jest.setSystemTime(new Date('2026-11-30T03:59:59.500Z'));
    expect(nowIsoSeconds()).toBe('2026-11-30T03:59:59Z');
  });

  it('is the timestamp of an envelope built without a time', () => {
    jest.useFakeTimers({ now: new Date('2026-11-30T04:05:06.789Z') });
    expect(toErrorEnvelope(new InvalidApiKeyError(), 'req_1').error.timestamp).toBe('2026-11-30T04:05:06Z');
    expect(toErrorEnvelope(new InvalidApiKeyError(), 'req_1', new Date('2025-01-01T00:00:00Z')).error.timestamp).toBe(
      '2025-01-01T00:00:00Z',
    );
  });
});
