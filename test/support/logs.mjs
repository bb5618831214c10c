// Plain JavaScript (typed by logs.d.mts): Jest's global setup and teardown load it with Node's own
// loader, which neither compiles TypeScript nor knows the test projects' module mapping.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Every log the suite's services write goes to a file here; the global teardown scans them all. */
export const TEST_LOG_DIR = resolve('.test-logs');

/** What an API key looks like, wherever it appears (a log must never hold one). */
export const API_KEY_IN_TEXT = /ak_[A-Za-z0-9]{32,64}/g;

/** A fresh log file path for one service instance. */
export function newLogFile(label) {
  mkdirSync(TEST_LOG_DIR, { recursive: true });
  return join(TEST_LOG_DIR, `${label}-${process.pid}-${randomBytes(4).toString('hex')}.log`);
}

/** Reads every log file of the directory and reports each line that holds an API key. */
export function scanLogs(dir = TEST_LOG_DIR) {
  const scan = { files: 0, lines: 0, failedAuthLines: 0, leaks: [] };
  let names = [];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.log'));
  } catch {
    return scan;
  }
  for (const name of names) {
    scan.files++;
    const lines = readFileSync(join(dir, name), 'utf8').split('\n');
    lines.forEach((line, index) => {
      if (line === '') return;
      scan.lines++;
      if (line.includes('"authentication_failed"')) scan.failedAuthLines++;
      for (const match of line.matchAll(API_KEY_IN_TEXT)) {
        scan.leaks.push(`${name}:${index + 1}: ${match[0].slice(0, 8)}…`);
      }
    });
  }
  return scan;
}

/** Global setup of the suite: start with no logs. */
export function clearLogs() {
  rmSync(TEST_LOG_DIR, { recursive: true, force: true });
}
