/**
 * `npm run generate:service -- <name> --consumes <Event…> [--produces <Event…>] [--port <port>]` — a new
 * service that takes part in the order saga, in the layout of the four: `apps/<name>` (validated config,
 * its own database and migrations, an `on<Event>` handler per consumed event wired through the inbox, an
 * example publish through the outbox, health endpoints, a unit test), its end-to-end test in
 * `test/<name>/`, the contracts of the events it produces, and its registration in nest-cli.json, the
 * build, the service and topic registries, the databases, docker-compose.yml and the Dockerfile, and
 * its OpenAPI document in docs/openapi/.
 * Refuses an existing name or an unknown event with a clear message, before writing anything.
 * docs/guides/new-service.md goes on from there.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as contracts from '@saga/contracts';
import { DEFAULT_PORTS } from '@saga/platform/config';
import { planFiles, writeFiles } from './generator/generate';
import { GeneratorError, parseGeneratorArgs, planServiceSpec } from './generator/service-spec';
import { REPO_ROOT } from './local-paths';

async function main(argv: string[]): Promise<number> {
  const nest = JSON.parse(readFileSync(join(REPO_ROOT, 'nest-cli.json'), 'utf8')) as {
    projects: Record<string, unknown>;
  };
  const spec = planServiceSpec(parseGeneratorArgs(argv), {
    contractExports: contracts,
    exists: (path) => existsSync(join(REPO_ROOT, path)),
    projects: Object.keys(nest.projects),
    ports: DEFAULT_PORTS,
  });
  const files = await planFiles(REPO_ROOT, spec, Date.now());
  writeFiles(REPO_ROOT, files);
  for (const file of files) console.log(`${file.created ? 'created ' : 'updated '} ${file.path}`);
  if (spec.produces.length > 0) {
    // The JSON Schemas and docs/asyncapi.yaml come from the registry, which now has the new events.
    const generated = spawnSync(
      process.execPath,
      [require.resolve('tsx/cli'), 'libs/contracts/tools/generate.ts'],
      {
        cwd: REPO_ROOT,
        stdio: 'inherit',
      },
    );
    if (generated.status !== 0) {
      throw new Error(
        'the files above were written, but npm run contracts:generate failed: fix it and run it again',
      );
    }
  }
  // Its OpenAPI document (the platform's endpoints until it adds its own), from the app just written.
  const documented = spawnSync(process.execPath, [require.resolve('tsx/cli'), 'infra/scripts/openapi.ts'], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
  });
  if (documented.status !== 0) {
    throw new Error(
      'the files above were written, but npm run openapi:generate failed: fix it and run it again',
    );
  }
  console.log(`
The ${spec.name} service is in apps/${spec.name} (port ${spec.port}, database ${spec.name}_service).
Next:
  npm run infra:up                          # creates its database and topics
  npm run test:unit -- apps/${spec.name}
  npm run test:e2e -- test/${spec.name}     # the saga with ${spec.name} in it, on the real broker
  npm run lint
Then write its business logic: docs/guides/new-service.md.`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof GeneratorError) {
      console.error(`generate:service: ${error.message}\nNothing was changed.`);
      process.exit(2);
    }
    console.error(error);
    process.exit(1);
  },
);
