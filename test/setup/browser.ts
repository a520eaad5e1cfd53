import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { artifactPath, launchChromium } from './chromium';

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
    this.browser = await launchChromium();
    const page = await this.browser.newPage({ viewport });
    this.page = page;
    page.on('pageerror', (error) => this.errors.push(error.message));
    await page.goto(url);
    return page;
  }

  async close(): Promise<void> {
    const file = artifactPath(this.screenshot);
    await mkdir(dirname(file), { recursive: true });
    await this.page?.screenshot({ path: file, fullPage: true }).catch(() => undefined);
    await this.browser?.close();
  }
}
