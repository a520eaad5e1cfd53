import type { Page } from 'playwright-core';
import { PLATFORM_SERVICE_NAMES } from '@saga/contracts';
import { devTokenIssuer } from '../infra/scripts/dev-token-issuer';
import { DashboardBrowser } from './setup/browser';
import { DemoProcess } from './setup/demo-process';

/** A killed instance is back in a few seconds (boot, then its consumer joins the group: ≤ the 10 s session). */
const RECOVERY_DEADLINE_MS = 45_000;
const ORDERS = 3;

/**
 * `npm run demo -- --chaos` as an admin meets it: a real demo (ports, databases, topics of its own), the
 * dashboard in Chromium, and its chaos panel. While payment's only instance is killed, orders placed
 * from the form wait in PENDING; inventory's database connections are cut and a poison record is
 * injected; the supervisor brings payment back, every order settles, and the poison is dead-lettered.
 */
describe("the dashboard's chaos panel (npm run demo -- --chaos)", () => {
  const demo = new DemoProcess('chaospanel');
  const dashboard = new DashboardBrowser('dashboard-chaos.png');
  let page: Page | undefined;

  afterAll(async () => {
    // Always: the screenshot (the CI artifact), then the browser, then the demo as Ctrl+C stops it.
    await dashboard.close();
    await demo.remove();
  });

  /** The states the page shows for each instance, as `payment-1=up`. */
  async function instanceStates(): Promise<string[]> {
    return Promise.all(
      (await page!.locator('#instances li').all()).map(
        async (row) => `${await row.getAttribute('data-instance')}=${await row.getAttribute('data-state')}`,
      ),
    );
  }

  /** Waits for a condition on the page; on timeout, says what the page and the demo showed. */
  async function until<T>(what: string, check: () => Promise<T | false | undefined>, timeoutMs = 30_000) {
    return demo.waitForOutput(
      async () => {
        try {
          return await check();
        } catch {
          return undefined;
        }
      },
      timeoutMs,
      `${what} (instances: ${(await instanceStates().catch(() => [])).join(', ')}; events: ${await page!
        .locator('#instance-events')
        .textContent()
        .catch(() => '?')})`,
    );
  }

  async function placeOrder(previous: string | undefined): Promise<string> {
    await page!.click('#place-order');
    return until('the order to be accepted', async () => {
      const id = await page!.locator('#place-result').getAttribute('data-order-id');
      return id && id !== previous ? id : undefined;
    });
  }

  /** The chaos panel's report of a fault once it is done. */
  const reported = async (fault: string) =>
    (await page!.locator(`#chaos-result[data-fault="${fault}"]`).textContent({ timeout: 1000 })) ?? undefined;

  const badge = (orderId: string) =>
    page!.locator(`li.order-card[data-order-id="${orderId}"] .status-badge`).textContent({ timeout: 1000 });

  it('kills payment and cuts a database while orders are placed: payment comes back, every order settles', async () => {
    // Arrange
    await demo.start(['--chaos']);
    const customer = `Bearer ${await devTokenIssuer(demo.env).mint({ customer: 'alice' })}`;
    const controlUrl = `http://127.0.0.1:${demo.env.DEMO_CONTROL_PORT}`;
    const asCustomer = await fetch(`${controlUrl}/chaos/kill`, {
      method: 'POST',
      headers: { authorization: customer, 'content-type': 'application/json' },
      body: '{"instance":"payment-1"}',
    });
    page = await dashboard.open(demo.dashboardUrl(), { width: 1400, height: 1000 });
    await page.locator('#chaos-panel').waitFor({ state: 'visible', timeout: 15_000 });
    await until('every instance to be up', async () => {
      const states = await instanceStates();
      return states.length === PLATFORM_SERVICE_NAMES.length && states.every((s) => s.endsWith('=up'));
    });
    await page.locator('.line-sku option[value="KEYBOARD-01"]').waitFor({ state: 'attached' });
    await page.fill('#customer', 'alice');
    await page.selectOption('.line-sku', 'KEYBOARD-01');
    const pid = await page.locator('#instances li[data-instance="payment-1"]').textContent();

    // Act: kill payment; place orders while it is away; cut inventory's connections; poison order.events
    await page.selectOption('#chaos-instance', 'payment-1');
    await page.click('#chaos-kill');
    const away = await until('payment-1 to be shown down or restarting', async () => {
      const state = await page!
        .locator('#instances li[data-instance="payment-1"]')
        .getAttribute('data-state');
      return state === 'down' || state === 'restarting' ? state : undefined;
    });
    const orderIds: string[] = [];
    for (let i = 0; i < ORDERS; i += 1) orderIds.push(await placeOrder(orderIds[i - 1]));
    const whileAway = await until('the orders placed while payment is away to be shown', async () => {
      const [state, note, ...badges] = await Promise.all([
        page!.locator('#instances li[data-instance="payment-1"]').getAttribute('data-state'),
        page!.textContent('#instances-note'),
        ...orderIds.map(badge),
      ]);
      return badges.every(Boolean) && { state, note, badges };
    });
    await page.selectOption('#chaos-database', 'inventory');
    await page.click('#chaos-cut');
    const cut = await until('the cut to be reported', () => reported('cut-database'));
    await page.selectOption('#chaos-topic', 'order.events');
    await page.click('#chaos-poison');
    const poisoned = await until('the poison to be reported', () => reported('poison'));
    const back = await until(
      'payment-1 to be back',
      async () => {
        const row = page!.locator('#instances li[data-instance="payment-1"]');
        return (await row.getAttribute('data-state')) === 'back' && row.textContent();
      },
      RECOVERY_DEADLINE_MS,
    );
    const settled = await until(
      'every order to settle',
      async () => {
        const badges = await Promise.all(orderIds.map(badge));
        return badges.every((text) => text === 'CONFIRMED') && badges;
      },
      RECOVERY_DEADLINE_MS,
    );
    const consumers = /dead-lettered by (.+)$/.exec(poisoned)![1].split(', ');
    const deadLetters = await until('the poison to be counted in the DLQ column', async () => {
      const counts = await Promise.all(
        consumers.map((service) =>
          page!.textContent(`#services td[data-service="${service}"][data-field="dlq"]`),
        ),
      );
      return counts.every((count) => Number(count) >= 1) && counts;
    });
    const events = await page.locator('#instance-events li[data-instance="payment-1"]').allTextContents();
    const states = await instanceStates();

    // Assert
    expect(asCustomer.status).toBe(403);
    expect(['down', 'restarting']).toContain(away);
    // The saga paused: payment was not back, and no order had gone past PENDING.
    expect(whileAway.state).not.toBe('back');
    expect(whileAway.badges).toEqual(orderIds.map(() => 'PENDING'));
    expect(whileAway.note).toBe(
      'payment-1 away: the saga waits for it; its events stay in Kafka until it is back',
    );
    expect(cut).toMatch(/\d+ connection\(s\) terminated/);
    expect(back).toMatch(/restarted 1× \(last exit: SIGKILL\)/);
    expect(back).not.toEqual(pid);
    expect(settled).toEqual(orderIds.map(() => 'CONFIRMED'));
    expect(consumers.length).toBeGreaterThan(0);
    expect(deadLetters.map(Number).every((count) => count >= 1)).toBe(true);
    expect(events.at(0)).toMatch(/payment-1: \w+ → back$/);
    expect(events.some((line) => /→ (down|restarting)$/.test(line))).toBe(true);
    expect(states).toEqual(
      PLATFORM_SERVICE_NAMES.map((name) => `${name}-1=${name === 'payment' ? 'back' : 'up'}`),
    );
    expect(dashboard.errors).toEqual([]);
  });
});
