import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT } from './demo-process';

/** Debian's Chromium, driven by playwright-core: no browser download. */
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

/**
 * A headless Chromium (`apt-get install chromium`) on the demo's dashboard, for a test. `close()`
 * (always, in afterAll) first keeps what the page showed as `.local/artifacts/<name>` (the CI artifact,
 * also when the test fails), then closes the browser.
 */
export class DashboardBrowser {
  /** Uncaught errors of the page's scripts. */
  readonly errors: string[] = [];
  private browser?: Browser;
  private page?: Page;

  constructor(private readonly screenshot: string) {}

  async open(url: string, viewport: { width: number; height: number }): Promise<Page> {
    this.browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    const page = await this.browser.newPage({ viewport });
    this.page = page;
    page.on('pageerror', (error) => this.errors.push(error.message));
    await page.goto(url);
    return page;
  }

  async close(): Promise<void> {
    const file = join(REPO_ROOT, '.local', 'artifacts', this.screenshot);
    await mkdir(join(file, '..'), { recursive: true });
    await this.page?.screenshot({ path: file, fullPage: true }).catch(() => undefined);
    await this.browser?.close();
  }
}
