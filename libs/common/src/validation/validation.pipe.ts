import { type ArgumentMetadata, ValidationPipe, type ValidationError as ClassValidatorError } from '@nestjs/common';
import { type FieldViolation, ValidationError } from '../errors/errors.js';

function flatten(errors: ClassValidatorError[], parent = ''): FieldViolation[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([rule, message]) => ({
      field,
      rule: rule === 'whitelistValidation' ? 'unknown_field' : rule,
      message: rule === 'whitelistValidation' ? `${field} is not an accepted field` : message,
    }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** With the `u` flag, only a surrogate that is not half of a pair matches. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Every string in `value` that holds a lone UTF-16 surrogate (valid in JSON's `\u` escapes, not
 * in Unicode text: PostgreSQL cannot store it, and node-postgres silently turns it into U+FFFD).
 */
function malformedStrings(value: unknown, path: string, found: FieldViolation[]): FieldViolation[] {
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value)) {
      const field = path || 'body';
      found.push({ field, rule: 'isWellFormed', message: `${field} must be valid Unicode text` });
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) malformedStrings(item, path ? `${path}.${key}` : key, found);
  }
  return found;
}

/**
 * The global pipe: rejects unknown fields, validates with class-validator and answers 422
 * VALIDATION_ERROR listing every field and the rule it broke. Field values are never echoed,
 * since they may be secrets. Text that is not well-formed Unicode is refused first, whatever the
 * DTO, since no column can hold it.
 */
class AppValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'custom') {
      const malformed = malformedStrings(value, metadata.type === 'param' ? (metadata.data ?? '') : '', []);
      if (malformed.length > 0) throw new ValidationError(malformed);
    }
    return super.transform(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new AppValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationError(flatten(errors)),
  });
}
