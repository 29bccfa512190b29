/**
 * Headless Chromium for the end-to-end tests of pages (`strata studio`): Debian's `chromium`
 * package driven through `playwright-core` (a devDependency; it downloads no browser of its own).
 * The package is installed when missing and the tests run as root; when the browser cannot be had
 * this throws, so a test that drives a page fails rather than skips.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { requireDebianPackage } from './debian-package.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * The network is closed: without these Chromium hangs on lookups of Google's services
 * (component updates, sync, safe browsing, QUIC probes) before it loads a page.
 */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Chromium {
  /** One browser for the test file; open as many pages in it as needed. */
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launches Chromium with a fresh profile directory, installing the browser first if it is missing. */
export async function launchChromium(): Promise<Chromium> {
  const executable = await requireDebianPackage('chromium');
  if (executable !== CHROMIUM_PATH) throw new Error(`Debian's chromium is expected at ${CHROMIUM_PATH}, found ${executable}`);
  let playwright: typeof import('playwright-core');
  try {
    playwright = await import('playwright-core');
  } catch (error) {
    throw new Error(`playwright-core is not installed (a devDependency of the workspace): run npm ci\n${String(error)}`);
  }
  const profile = await mkdtemp(join(tmpdir(), 'strata-chromium-'));
  // A persistent context is how Playwright takes a profile directory of our own (it refuses
  // --user-data-dir among the arguments): fresh, so no earlier run's state leaks in.
  const context = await playwright.chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
