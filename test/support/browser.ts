import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/**
 * Debian's chromium package (`apt-get install chromium`; `.ci/run` installs it). Playwright's own
 * browser download is not used: it is not reachable from every machine that runs the tests.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Whether the browser tests can run here. In CI they must: a missing browser fails them. */
export function browserAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/**
 * Skips a browser suite loudly when there is no browser, outside CI only. With CI=true it never
 * skips, so a machine without chromium fails instead of passing quietly.
 */
export function skipWithoutBrowser(suite: string): boolean {
  if (browserAvailable() || process.env.CI === 'true') return false;
  console.warn(
    `\n*** SKIPPED: ${suite}: no browser at ${CHROMIUM_PATH}. Install it with ` +
      '`sudo apt-get install chromium` (or set CHROMIUM_PATH), or run with CI=true to make this a failure. ***\n',
  );
  return true;
}
