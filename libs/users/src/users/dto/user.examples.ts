import type { UserResponseDto } from './user-response.dto.js';

/** The user object of the docs' examples. */
export const USER_EXAMPLE: UserResponseDto = {
  id: 'usr_4ab3bd9533df40318468ed9cc0d8c391',
  email: 'ada@example.com',
  username: 'ada.l',
  full_name: 'Ada Lovelace',
  first_name: 'Ada',
  last_name: 'Lovelace',
  birthday: '1990-12-10',
  profile_image: null,
  timezone: 'Europe/London',
  country_id: null,
  post_code: null,
  gender: null,
  global_role_id: 'role_member',
  is_active: true,
  last_verified: null,
  last_login: null,
  created_at: '2025-11-15T10:30:00Z',
  updated_at: '2025-11-15T10:30:00Z',
};
