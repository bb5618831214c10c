import { isISO8601, ValidateBy } from 'class-validator';

/**
 * An RFC 3339 date-time (ISO 8601's profile that `new Date` and PostgreSQL read alike): date, time
 * and an explicit offset. ISO 8601 also admits week (`2025-W01`), ordinal (`2025-001`), basic
 * (`20250101T101010Z`), date-only and zone-less forms, which `new Date` reads as nothing, as UTC
 * midnight or as local time. The schema's `pattern` and the validator share it.
 */
export const DATE_TIME_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})$';
const DATE_TIME = new RegExp(DATE_TIME_PATTERN);

/** A valid RFC 3339 date-time; the rule keeps the name `isIso8601` that clients already see. */
export function IsDateTime(field: string): PropertyDecorator {
  return ValidateBy({
    name: 'isIso8601',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' && DATE_TIME.test(value) && isISO8601(value, { strict: true }),
      defaultMessage: () => `${field} must be an ISO 8601 date-time`,
    },
  });
}
