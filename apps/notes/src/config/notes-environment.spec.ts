import { describe, expect, it } from '@jest/globals';
import { NotesEnvironmentError, validateNotesEnvironment } from './notes-environment.js';

describe('validateNotesEnvironment', () => {
  it('requires USERS_DATABASE_URL, a PostgreSQL URL (PGlite cannot be shared with the users service)', () => {
    for (const value of [undefined, '', 'memory://', 'mysql://x']) {
      const raw = value === undefined ? {} : { USERS_DATABASE_URL: value };
      expect(() => validateNotesEnvironment(raw)).toThrow(
        new NotesEnvironmentError(
          'USERS_DATABASE_URL: USERS_DATABASE_URL is required: the users service’s PostgreSQL (postgres://...)',
        ),
      );
    }
  });

  it('fills the defaults: its own PGlite, the local NATS, the durable consumer `notes`', () => {
    expect({ ...validateNotesEnvironment({ USERS_DATABASE_URL: 'postgres://u@h/users', HOME: '/root' }) }).toEqual({
      NODE_ENV: 'development',
      PORT: 3100,
      HOST: '127.0.0.1',
      PGLITE_DIR: '.data/notes-pglite',
      USERS_DATABASE_URL: 'postgres://u@h/users',
      NATS_URL: 'nats://127.0.0.1:4222',
      NATS_STREAM: 'USERS',
      NATS_SUBJECT_PREFIX: 'users',
      NOTES_CONSUMER_NAME: 'notes',
    });
  });
});
