import { CreateNotes1796100000000 } from './1796100000000-CreateNotes.js';

/** The notes app's migrations, oldest first (its own tables only; the users schema is not its to change). */
export const NOTES_MIGRATIONS = [CreateNotes1796100000000];
