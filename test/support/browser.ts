import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const chromiumPath = '/usr/bin/chromium';
const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Whether browser tests run: always under CI (where a missing Chromium must fail them), elsewhere only when
 * Debian's Chromium is installed, with a loud note when it is not.
 */
export const browserAvailable = process.env.CI === 'true' || existsSync(chromiumPath);
if (!browserAvailable) console.warn(`\n*** SKIPPING browser tests: ${chromiumPath} is missing (apt-get install -y chromium) ***\n`);

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: flags, headless: true });
}

/** Where screenshots go: test-output/ (git-ignored). */
export function screenshotPath(name: string): string {
  const dir = path.resolve('test-output', 'screenshots');
  mkdirSync(dir, { recursive: true });
  return path.join(dir, `${name}.png`);
}
