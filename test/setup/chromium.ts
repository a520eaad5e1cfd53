import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { REPO_ROOT } from './demo-process';

/** Debian's Chromium, driven by playwright-core: no browser download, and no call home. */
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

/** Starts a headless Chromium for a test that looks at a page as a visitor would. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** Where a test keeps what a page showed (`.local/artifacts/<file>`), for CI, also when it fails. */
export function artifactPath(file: string): string {
  return join(REPO_ROOT, '.local', 'artifacts', file);
}
