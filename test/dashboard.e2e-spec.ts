import type { Page } from 'playwright-core';
import { SERVICE_NAMES } from '@saga/contracts';
import { waitFor } from '@saga/common';
import { DashboardBrowser } from './setup/browser';
import { DemoProcess } from './setup/demo-process';

/** How long the page may take to show the saga's end: it takes well under a second on a laptop. */
const SAGA_DEADLINE_MS = 30_000;

/**
 * The live saga dashboard, as a visitor meets it: `npm run demo` (with ports, databases, topics and a
 * mail folder of its own, like test/platform.e2e-spec.ts), then a real browser on the printed URL.
 * It places an order through the form and watches the saga reach CONFIRMED, step by step across the
 * services, with the e-mail and the services' backlog and dead letters.
 */
describe('the live saga dashboard', () => {
  const demo = new DemoProcess('dash');
  const dashboard = new DashboardBrowser('dashboard.png');
  let page: Page | undefined;

  afterAll(async () => {
    // Always: the screenshot (the CI artifact), then the browser, then the demo as Ctrl+C stops it.
    await dashboard.close();
    await demo.remove();
  });

  async function startDemo(): Promise<string> {
    await demo.start();
    return demo.dashboardUrl();
  }

  it('places an order from the form and shows it CONFIRMED, with its saga, e-mail and service health', async () => {
    // Arrange
    const url = await startDemo();
    page = await dashboard.open(url, { width: 1400, height: 900 });
    await page.locator('.line-sku option[value="KEYBOARD-01"]').waitFor({ state: 'attached' });

    // Act
    await page.fill('#customer', 'alice');
    await page.selectOption('.line-sku', 'KEYBOARD-01');
    await page.fill('.line-qty', '1');
    await page.click('#place-order');
    const orderId = await page.locator('#place-result[data-order-id]').getAttribute('data-order-id');
    const card = page.locator(`li.order-card[data-order-id="${orderId}"]`);
    await card.locator('.status-badge', { hasText: 'CONFIRMED' }).waitFor({ timeout: SAGA_DEADLINE_MS });
    await card.locator('.step[data-step="EMAIL"]').waitFor({ timeout: SAGA_DEADLINE_MS });
    // The mail's row appears PENDING when notification records it, and turns SENT when the dispatcher has sent it.
    await page
      .locator(`#emails li[data-order-id="${orderId}"]`, { hasText: 'SENT' })
      .waitFor({ timeout: SAGA_DEADLINE_MS });
    const health = await waitFor(
      async () => {
        const cells = await Promise.all(
          (await page!.locator('#services td[data-field]').all()).map(async (cell) => {
            const [service, field, text] = await Promise.all([
              cell.getAttribute('data-service'),
              cell.getAttribute('data-field'),
              cell.textContent(),
            ]);
            return `${service}.${field}=${text}`;
          }),
        );
        return cells.length > 0 && cells.every((cell) => /=(\d+|ready)$/.test(cell)) && cells;
      },
      { timeoutMs: SAGA_DEADLINE_MS, what: 'every service cell to be filled' },
    );
    const steps = await Promise.all(
      (await card.locator('.step').all()).map((step) => step.getAttribute('data-step')),
    );
    const confirmed = await waitFor(
      async () => ((await page!.textContent('[data-counter="confirmed"]')) === '1' ? '1' : undefined),
      { timeoutMs: SAGA_DEADLINE_MS, what: 'the confirmed counter to count the order' },
    );

    // Assert
    expect(orderId).toMatch(/^[0-9a-f-]{36}$/);
    expect(steps).toEqual(['PLACED', 'PAYMENT_AUTHORIZED', 'STOCK_RESERVED', 'CONFIRMED', 'EMAIL']);
    await expect(page.textContent(`#emails li[data-order-id="${orderId}"]`)).resolves.toMatch(
      /^confirmed\s*alice\s*[0-9a-f]{8}\s*SENT$/,
    );
    // The backlog moves with the relay; a number is all the page owes. No dead letter on a happy path.
    expect(health.map((cell) => cell.replace(/backlog=\d+$/, 'backlog=n'))).toEqual(
      SERVICE_NAMES.flatMap((name) => [`${name}.ready=ready`, `${name}.backlog=n`, `${name}.dlq=0`]),
    );
    expect(confirmed).toBe('1');
    expect(dashboard.errors).toEqual([]);
  });
});
