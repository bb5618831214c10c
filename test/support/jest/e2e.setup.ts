import { jest } from '@jest/globals';

// An e2e file boots a real app and database in beforeAll (a few seconds on two busy cores); a test
// sends real HTTP. Both stay far below this; it only stops a hung test from hanging the run.
jest.setTimeout(60_000);
