import { JetStreamApiCodes, JetStreamApiError, type JetStreamManager, StorageType } from '@nats-io/jetstream';
import { USERS_STREAM, USERS_SUBJECT_PREFIX } from './user-event.js';

/** Where the events are: the stream and the subject prefix (tests isolate themselves with their own). */
export interface UsersStreamOptions {
  /** JetStream stream name; default `USERS`. */
  stream?: string;
  /** Subject prefix: events go to `<prefix>.<type>`; default `users`. */
  subjectPrefix?: string;
}

/** How long JetStream drops a re-published message id: longer than the relay's lease (about 1 min). */
const DUPLICATE_WINDOW_NS = 2 * 60 * 1_000_000_000;
/** How long messages stay on the stream: a consumer may be down this long without losing events. */
const MAX_AGE_NS = 7 * 24 * 3600 * 1_000_000_000;

/**
 * Creates the stream if it does not exist yet (file storage, subjects `<prefix>.>`, 7 days, a
 * 2-minute duplicate window). An existing stream is left as it is, so an operator's changes to
 * its limits stay. Both the relay and consumers call it, whichever starts first.
 */
export async function ensureUsersStream(jsm: JetStreamManager, options: UsersStreamOptions = {}): Promise<void> {
  const name = options.stream ?? USERS_STREAM;
  const prefix = options.subjectPrefix ?? USERS_SUBJECT_PREFIX;
  try {
    await jsm.streams.info(name);
    return;
  } catch (error) {
    if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)) throw error;
  }
  try {
    await jsm.streams.add({
      name,
      subjects: [`${prefix}.>`],
      storage: StorageType.File,
      duplicate_window: DUPLICATE_WINDOW_NS,
      max_age: MAX_AGE_NS,
    });
  } catch (error) {
    // Another replica created it meanwhile: fine as long as it exists now.
    await jsm.streams.info(name).catch(() => {
      throw error;
    });
  }
}
