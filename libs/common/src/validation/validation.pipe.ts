import { ValidationPipe, type ValidationError as ClassValidatorError } from '@nestjs/common';
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

/**
 * The global pipe: rejects unknown fields, validates with class-validator and answers 422
 * VALIDATION_ERROR listing every field and the rule it broke. Field values are never echoed,
 * since they may be secrets.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationError(flatten(errors)),
  });
}
