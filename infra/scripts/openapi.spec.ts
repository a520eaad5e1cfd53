import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PLATFORM_SERVICE_NAMES } from '@saga/contracts';
import { OpenApiResponseValidator } from '@saga/test-kit';
import { OPENAPI_DIR, checkedInDocuments, openApiFileText } from './openapi';

const checkedIn = (name: string) => readFileSync(join(OPENAPI_DIR, `${name}.json`), 'utf8');

/** Every operation of a document, as `METHOD /path`. */
const operations = (text: string) =>
  Object.entries((JSON.parse(text) as { paths: Record<string, object> }).paths).flatMap(([path, item]) =>
    Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
  );

/**
 * docs/openapi/ holds each service's OpenAPI document as the code generates it. These tests fail when
 * the code and the checked-in documents disagree; `npm run openapi:generate` writes them anew.
 */
describe('docs/openapi (npm run openapi:generate)', () => {
  it('has a document for every service, and none for a service that is gone', () => {
    expect(checkedInDocuments()).toEqual([...PLATFORM_SERVICE_NAMES].sort());
  });

  it.each(PLATFORM_SERVICE_NAMES.map((name) => [name]))(
    '%s.json is what the code generates (else run npm run openapi:generate)',
    (name) => {
      expect(checkedIn(name)).toBe(openApiFileText(name));
    },
  );

  it.each(PLATFORM_SERVICE_NAMES.map((name) => [name]))(
    '%s.json is OpenAPI 3.1 with the platform operations, and each schema compiles as JSON Schema 2020-12',
    (name) => {
      // Arrange
      const text = checkedIn(name);
      const validator = new OpenApiResponseValidator(JSON.parse(text) as never);

      // Act
      const ops = operations(text);

      // Assert
      expect(JSON.parse(text)).toMatchObject({ openapi: '3.1.0' });
      expect(ops).toEqual(
        expect.arrayContaining([
          'GET /health/live',
          'GET /health/ready',
          'GET /metrics',
          'GET /admin/dead-letters',
          'POST /admin/dead-letters/replay',
          'GET /docs',
          'GET /docs/openapi.json',
          'GET /docs/assets/{file}',
        ]),
      );
      expect(validator.compileAll()).toBeGreaterThan(ops.length);
    },
  );

  it('describes the security of each operation: public ones need no token, the others the bearer scheme and their roles', () => {
    // Arrange
    const document = JSON.parse(checkedIn('order')) as {
      paths: Record<string, Record<string, { security: unknown[]; 'x-roles'?: string[]; responses: object }>>;
    };

    // Act
    const health = document.paths['/health/ready'].get;
    const dashboard = document.paths['/dashboard/summary'].get;
    const place = document.paths['/orders'].post;

    // Assert
    expect(health.security).toEqual([]);
    expect(Object.keys(health.responses)).not.toContain('401');
    expect(dashboard).toMatchObject({ security: [{ bearerAuth: [] }], 'x-roles': ['admin'] });
    expect(place).toMatchObject({ security: [{ bearerAuth: [] }], 'x-roles': ['customer', 'admin'] });
    expect(Object.keys(place.responses).sort()).toEqual(
      ['202', '400', '401', '403', '409', '413', '415', '422', '429', '500', '503'].sort(),
    );
    expect(place.responses).toMatchObject({
      '503': { headers: { 'Retry-After': { required: true } } },
      '202': { headers: { Location: { required: true } } },
    });
  });
});
