/**
 * `npm run openapi:generate` — writes docs/openapi/<service>.json, the OpenAPI 3.1 document of every
 * service (the four and any added by `npm run generate:service`), as the service serves it at
 * `/docs/openapi.json`. The documents are generated from the zod schemas of the code; openapi.spec.ts
 * fails when a checked-in one differs from what the code generates.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PLATFORM_SERVICE_NAMES, type PlatformServiceName } from '@saga/contracts';
import { serviceDocument, type ServiceDefinition } from '@saga/platform';
import { REPO_ROOT } from './local-paths';

/** Where the documents are checked in. */
export const OPENAPI_DIR = join(REPO_ROOT, 'docs', 'openapi');

/** The service's definition, as its `apps/<name>/src/app.module.ts` exports it. */
export function serviceDefinition(name: PlatformServiceName): ServiceDefinition {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- each app's module, by its name
  const exported = require(join(REPO_ROOT, 'apps', name, 'src', 'app.module')) as Record<string, unknown>;
  const definition = Object.values(exported).find(
    (value): value is ServiceDefinition =>
      typeof value === 'object' && value !== null && (value as ServiceDefinition).name === name,
  );
  if (!definition) throw new Error(`apps/${name}/src/app.module.ts exports no ServiceDefinition of ${name}`);
  return definition;
}

/** The text of docs/openapi/<name>.json for the code as it is. */
export function openApiFileText(name: PlatformServiceName): string {
  const { api } = serviceDefinition(name);
  return `${JSON.stringify(serviceDocument(name, api), null, 2)}\n`;
}

/** The documents checked in, by service name. */
export function checkedInDocuments(): string[] {
  return readdirSync(OPENAPI_DIR)
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.replace(/\.json$/, ''))
    .sort();
}

function main(): void {
  mkdirSync(OPENAPI_DIR, { recursive: true });
  for (const name of PLATFORM_SERVICE_NAMES) {
    writeFileSync(join(OPENAPI_DIR, `${name}.json`), openApiFileText(name));
  }
  console.log(`Wrote ${PLATFORM_SERVICE_NAMES.map((name) => `${name}.json`).join(', ')} to ${OPENAPI_DIR}.`);
}

if (require.main === module) main();
