import { clearLogs } from './logs.mjs';

/** Global setup of the suite: start with no logs (the teardown scans what this run wrote). */
export default function setup() {
  clearLogs();
}
