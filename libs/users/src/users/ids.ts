import { v7 as uuidv7 } from 'uuid';

/** `usr_` + 32 lowercase hex, time-ordered (UUIDv7), so ids sort by creation. */
export function newUserId(): string {
  return `usr_${uuidv7().replaceAll('-', '')}`;
}

/** `key_` + 32 lowercase hex, time-ordered (UUIDv7). */
export function newApiKeyId(): string {
  return `key_${uuidv7().replaceAll('-', '')}`;
}

const USER_ID = /^usr_[0-9a-f]{32}$/;
const API_KEY_ID = /^key_[0-9a-f]{32}$/;

/** Whether a value can be a user id at all; anything else names no user, without a query. */
export function isUserId(value: string): boolean {
  return USER_ID.test(value);
}

/** Whether a value can be an API key id at all. */
export function isApiKeyId(value: string): boolean {
  return API_KEY_ID.test(value);
}
