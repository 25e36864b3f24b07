/**
 * Debian's Chromium, driven by playwright-core (no browser download), for the console's browser tests
 * and bench. The console is built first when it is missing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { CONSOLE_DIST } from '../../cloud/src/console/index.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** `npm run build:console` when console/dist is missing (a fresh clone running one test file). */
export function ensureConsoleBuilt(): void {
  if (existsSync(join(CONSOLE_DIST, 'index.html'))) return;
  execFileSync('npm', ['run', 'build:console'], { stdio: 'inherit', cwd: join(CONSOLE_DIST, '..', '..') });
}

export interface Browser {
  context(opts?: { width: number; height: number; mobile?: boolean }): Promise<BrowserContext>;
  close(): Promise<void>;
}

/**
 * Chromium headless with the flags that keep it off the network and quiet. playwright's launch gives
 * every browser a fresh temporary profile (its own --user-data-dir), removed on close; each context has
 * its own cookies, so two desks are two logins.
 */
export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  return {
    context: (o = { width: 1280, height: 800 }) =>
      browser.newContext({
        viewport: { width: o.width, height: o.height },
        isMobile: o.mobile ?? false,
        hasTouch: o.mobile ?? false,
        locale: 'zh-CN',
      }),
    close: () => browser.close(),
  };
}
