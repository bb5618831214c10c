import { expect } from '@jest/globals';

const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/**
 * The user object the API answers for a user made with only an e-mail (every profile field null,
 * a live member), with `fields` replacing what differs. Timestamps default to "any ISO 8601 UTC".
 */
export function userObject(fields: { id: unknown; email: unknown } & Record<string, unknown>): Record<string, unknown> {
  return {
    username: null,
    full_name: null,
    first_name: null,
    last_name: null,
    birthday: null,
    profile_image: null,
    timezone: null,
    country_id: null,
    post_code: null,
    gender: null,
    global_role_id: 'role_member',
    is_active: true,
    last_verified: null,
    last_login: null,
    created_at: expect.stringMatching(ISO_SECONDS),
    updated_at: expect.stringMatching(ISO_SECONDS),
    ...fields,
  };
}
