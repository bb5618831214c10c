import { describe, expect, it } from '@jest/globals';
import { calendarDay } from './user.row.js';

describe('calendarDay', () => {
  it('reads the day of a PGlite date (UTC midnight) and of a node-postgres date (local midnight)', () => {
    expect(calendarDay(new Date('1990-12-10T00:00:00Z'))).toBe('1990-12-10');
    // node-postgres: local midnight, whatever the process's zone (the suite passes with TZ set east or west of UTC).
    expect(calendarDay(new Date(1990, 11, 10))).toBe('1990-12-10');
    expect(calendarDay('1990-12-10')).toBe('1990-12-10');
    expect(calendarDay(null)).toBeNull();
  });
});
