import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import type { Application } from 'express';
import { SERVICE_NAMES, type ServiceName } from '@saga/contracts';
import { OPENAPI_DIR } from '@saga/test-kit';
import { SagaHarness, type HttpAnswer } from '@saga/testing';
import { SEED, SERVICES } from './saga/saga-fixtures';
import { artifactPath, launchChromium } from './setup/chromium';

/** What the page showed, kept for CI like the dashboard's (also when the test fails). */
const SCREENSHOT = artifactPath('openapi-docs.png');

/** Every operation of a document, as `GET /orders/{id}`. */
function documented(service: ServiceName): string[] {
  const document = JSON.parse(readFileSync(join(OPENAPI_DIR, `${service}.json`), 'utf8')) as {
    paths: Record<string, object>;
  };
  return Object.entries(document.paths)
    .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();
}

/**
 * Nest applies a module's middleware to every path (nestjs-pino's request logger) as an Express route
 * of every method on this path: middleware, not an endpoint. No controller has a wildcard route.
 */
const EVERY_PATH = '/{*path}';

/** Every route the running app's Express router has, as `GET /orders/{id}` (Nest's `:id` spelled as OpenAPI does). */
function registered(app: Application): string[] {
  const { stack } = (app as unknown as { router: { stack: { route?: { path: string; methods: object } }[] } })
    .router;
  return stack
    .flatMap(({ route }) =>
      route && route.path !== EVERY_PATH
        ? Object.keys(route.methods).map(
            (method) => `${method.toUpperCase()} ${route.path.replace(/:(\w+)/g, '{$1}')}`,
          )
        : [],
    )
    .sort();
}

/** A POST with raw bytes and exactly the headers given (fetch would name a content type for a string). */
function rawPost(url: string, headers: Record<string, string>, body: string): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const sent = httpRequest(url, { method: 'POST', headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          contentType: response.headers['content-type'] ?? '',
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown,
        }),
      );
    });
    sent.on('error', reject);
    sent.end(body);
  });
}

/**
 * Each service's OpenAPI document (docs/openapi/, checked against the code by infra/scripts/openapi.spec.ts)
 * is the one it serves at `/docs/openapi.json`, names every route the running app has and no other, and
 * is browsable at `/docs` from files the service serves itself. A body that is not JSON is a 415.
 */
describe('the OpenAPI documents and /docs (real services)', () => {
  let saga: SagaHarness;

  beforeAll(async () => {
    saga = await SagaHarness.start('openapi', SERVICES, SEED);
  });

  afterAll(async () => {
    await saga?.destroy();
  });

  it.each(SERVICE_NAMES.map((service) => [service]))(
    '%s: every route the app registers is in its document, and every operation of the document is a route',
    (service) => {
      // Act
      const express: Application = saga.platform.instance(service)!.app.getHttpAdapter().getInstance();
      const routes = registered(express);

      // Assert
      expect(routes).toEqual(documented(service));
    },
  );

  it.each(SERVICE_NAMES.map((service) => [service]))(
    '%s: serves its checked-in document at /docs/openapi.json, without a token',
    async (service) => {
      // Act
      const answer = await saga.request(service, 'GET', '/docs/openapi.json', undefined, {}, 'anonymous');

      // Assert
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual(JSON.parse(readFileSync(join(OPENAPI_DIR, `${service}.json`), 'utf8')));
    },
  );

  it('serves Swagger UI at /docs, with every script and style it loads, from the service itself', async () => {
    // Act
    const page = await saga.request('payment', 'GET', '/docs', undefined, {}, 'anonymous');
    const loaded = [...String(page.body).matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
    const files = await Promise.all(
      loaded.map(async (path) => {
        const answer = await saga.request('payment', 'GET', path, undefined, {}, 'anonymous');
        return { path, status: answer.status, contentType: answer.contentType.split(';')[0] };
      }),
    );
    const missing = await saga.request(
      'payment',
      'GET',
      '/docs/assets/index.html',
      undefined,
      {},
      'anonymous',
    );

    // Assert
    expect(page.status).toBe(200);
    expect(page.contentType).toMatch(/^text\/html/);
    expect(String(page.body)).toContain('<title>payment service API</title>');
    expect(files).toEqual([
      { path: '/docs/assets/swagger-ui.css', status: 200, contentType: 'text/css' },
      { path: '/docs/assets/swagger-ui-bundle.js', status: 200, contentType: 'text/javascript' },
      { path: '/docs/assets/docs-init.js', status: 200, contentType: 'text/javascript' },
    ]);
    expect(missing.status).toBe(404);
  });

  it('shows every operation of the document in a real browser, fetching nothing from anywhere else', async () => {
    // Arrange
    const origin = saga.platform.url('order');
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const errors: string[] = [];
      const elsewhere: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('request', (request) => {
        if (!request.url().startsWith(`${origin}/`)) elsewhere.push(request.url());
      });

      // Act
      await page.goto(`${origin}/docs`);
      await page.locator('.opblock').first().waitFor();
      const shown = await Promise.all(
        (await page.locator('.opblock').all()).map(
          async (block) =>
            `${await block.locator('.opblock-summary-method').textContent()} ${await block.locator('.opblock-summary-path').getAttribute('data-path')}`,
        ),
      );
      const title = await page.locator('.info .title').textContent();
      await mkdir(join(SCREENSHOT, '..'), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: false });

      // Assert
      expect(shown.sort()).toEqual(documented('order'));
      expect(title).toMatch(/^order service/);
      expect({ errors, elsewhere }).toEqual({ errors: [], elsewhere: [] });
    } finally {
      await browser.close();
    }
  });

  it('answers a body without a Content-Type with a 415 problem, and places nothing', async () => {
    // Arrange
    const token = await saga.token({ customer: 'rich' });
    const body = JSON.stringify({ items: [{ sku: 'WIDGET', quantity: 1 }] });

    // Act
    const answer = await rawPost(
      `${saga.platform.url('order')}/orders`,
      { authorization: `Bearer ${token}`, 'content-length': String(Buffer.byteLength(body)) },
      body,
    );

    // Assert
    expect(answer).toEqual({
      status: 415,
      contentType: 'application/problem+json; charset=utf-8',
      body: {
        type: 'about:blank',
        title: 'Unsupported Media Type',
        status: 415,
        detail: 'the body must be JSON (Content-Type: application/json), not a body without a Content-Type',
        instance: '/orders',
      },
    });
    expect(await saga.orderSideEffects()).toEqual({ orders: 0, outboxRows: 0, orderEvents: 0 });
  });

  it('still takes a POST without a body (a cancel has none to give)', async () => {
    // Arrange
    const placed = await saga.placeOrder({ customerId: 'rich', items: [{ sku: 'WIDGET', quantity: 1 }] });
    const { orderId } = placed.body;
    const token = await saga.token({ customer: 'rich' });

    // Act
    const answer = await rawPost(
      `${saga.platform.url('order')}/orders/${orderId}/cancel`,
      { authorization: `Bearer ${token}`, 'content-length': '0' },
      '',
    );

    // Assert
    expect(answer).toMatchObject({ status: 202, body: { orderId, status: 'CANCELLING' } });
  });
});
