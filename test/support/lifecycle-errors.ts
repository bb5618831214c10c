import type { ExpectedError } from './envelope.js';

/** The errors of the account-lifecycle routes, to the letter (written out, not imported from the code). */

export const FORBIDDEN: ExpectedError = {
  status: 403,
  code: 'INSUFFICIENT_PERMISSIONS',
  type: 'authorization_error',
  message: "You don't have permission to perform this action.",
};

export const USERNAME_TAKEN: ExpectedError = {
  status: 409,
  code: 'USERNAME_ALREADY_EXISTS',
  type: 'client_error',
  message: 'This username is already taken.',
  system_message: 'A user that is not deleted already has this username.',
};

export const EMAIL_TAKEN: ExpectedError = {
  status: 409,
  code: 'EMAIL_ALREADY_EXISTS',
  type: 'client_error',
  message: 'A user with this e-mail address already exists.',
};

export const API_KEY_NOT_FOUND: ExpectedError = {
  status: 404,
  code: 'API_KEY_NOT_FOUND',
  type: 'client_error',
  message: 'API key not found.',
  system_message: 'None of your API keys that are not yet revoked has this id.',
};

export const LAST_API_KEY: ExpectedError = {
  status: 409,
  code: 'LAST_API_KEY',
  type: 'client_error',
  message: 'This is your last active API key. Create another key before revoking it.',
  system_message: 'Revoking this key would leave the account without a live API key.',
};

export const USER_ANONYMIZED: ExpectedError = {
  status: 409,
  code: 'USER_ANONYMIZED',
  type: 'client_error',
  message: 'This account was anonymized under the data retention policy and cannot be restored.',
  system_message: 'The user was deleted longer ago than DELETED_USER_RETENTION_DAYS and has been anonymized.',
};

/** A 422 whose `details.fields` are exactly `fields`. */
export function validationError(fields: Array<{ field: string; rule: string; message: string }>): ExpectedError {
  return {
    status: 422,
    code: 'VALIDATION_ERROR',
    type: 'client_error',
    message: 'Some fields are invalid.',
    system_message: fields.map((f) => `${f.field}: ${f.message}`).join('; '),
    details: { fields },
  };
}
