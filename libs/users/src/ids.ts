import { v7 as uuidv7 } from 'uuid';

/** `usr_` + 32 lowercase hex, time-ordered (UUIDv7), so ids sort by creation. */
export function newUserId(): string {
  return `usr_${uuidv7().replaceAll('-', '')}`;
}

/** `key_` + 32 lowercase hex, time-ordered (UUIDv7). */
export function newApiKeyId(): string {
  return `key_${uuidv7().replaceAll('-', '')}`;
}
