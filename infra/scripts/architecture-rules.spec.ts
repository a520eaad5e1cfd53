import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { REPO_ROOT } from './local-paths';

/** What dependency-cruiser reports of one broken rule. */
interface Violation {
  readonly rule: { readonly name: string };
  readonly from: string;
  readonly to: string;
}

/**
 * Runs dependency-cruiser with the repository's rules (.dependency-cruiser.cjs) on `paths` under `cwd`.
 * Through its command line: the package is ES modules only, which Jest's CommonJS cannot import.
 */
function cruise(cwd: string, paths: string[]): Violation[] {
  const cli = join(REPO_ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
  const config = join(REPO_ROOT, '.dependency-cruiser.cjs');
  const run = spawnSync(process.execPath, [cli, '--config', config, '--output-type', 'json', ...paths], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (!run.stdout) throw new Error(`dependency-cruiser printed nothing: ${run.stderr}`);
  return (JSON.parse(run.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

/** An import of `to` from `from` (both repository paths), each its own file in the fixture tree. */
type Edge = readonly [from: string, to: string];

/** Imports each rule forbids: the rule's name, and one offending import. */
const FORBIDDEN: readonly (readonly [rule: string, edge: Edge])[] = [
  ['test-kit-depends-on-no-production-code', ['libs/test-kit/src/kit.ts', 'libs/platform/src/index.ts']],
  [
    'test-kit-depends-on-no-production-code',
    ['libs/test-kit/src/roles.ts', 'libs/provisioning/src/index.ts'],
  ],
  ['test-kit-never-imports-the-harness', ['libs/test-kit/src/harnessed.ts', 'libs/testing/src/index.ts']],
  [
    'lib-tests-use-the-kit-not-the-harness',
    ['libs/outbox/src/relay.int-spec.ts', 'libs/testing/src/index.ts'],
  ],
  [
    'lib-tests-use-the-kit-not-the-harness',
    ['libs/platform/src/roles.spec.ts', 'libs/provisioning/src/index.ts'],
  ],
  ['common-tests-never-use-the-kit', ['libs/common/src/wait.spec.ts', 'libs/test-kit/src/index.ts']],
  ['production-code-never-imports-tests', ['libs/outbox/src/relay.ts', 'libs/test-kit/src/index.ts']],
  ['production-code-never-imports-tests', ['apps/order/src/order.service.ts', 'libs/testing/src/index.ts']],
  ['production-code-never-imports-tests', ['libs/provisioning/src/roles.ts', 'libs/test-kit/src/index.ts']],
  [
    'shipped-code-never-imports-dev-provisioning',
    ['apps/order/src/main.ts', 'libs/provisioning/src/index.ts'],
  ],
  [
    'apps-and-libs-never-import-infra',
    ['libs/platform/src/sasl.int-spec.ts', 'infra/scripts/kafka-broker.ts'],
  ],
  ['apps-and-libs-never-import-infra', ['libs/test-kit/src/broker.ts', 'infra/scripts/kafka-broker.ts']],
  ['apps-and-libs-never-import-infra', ['libs/testing/src/broker.ts', 'infra/scripts/kafka-broker.ts']],
  ['infra-scripts-never-import-tests', ['infra/scripts/demo.ts', 'test/saga/saga-fixtures.ts']],
  ['infra-scripts-import-apps-data-only', ['infra/scripts/chaos.ts', 'apps/order/src/app.module.ts']],
];

/** Imports the rules allow, between the same kinds of files. */
const ALLOWED: readonly Edge[] = [
  ['libs/test-kit/src/waits.ts', 'libs/common/src/index.ts'],
  ['libs/outbox/src/outbox.int-spec.ts', 'libs/test-kit/src/index.ts'],
  ['libs/provisioning/src/service-roles.spec.ts', 'libs/provisioning/src/index.ts'],
  ['libs/testing/src/harness.ts', 'libs/platform/src/index.ts'],
  ['libs/testing/src/harness-kit.ts', 'libs/test-kit/src/index.ts'],
  ['libs/testing/src/roles.ts', 'libs/provisioning/src/index.ts'],
  ['libs/provisioning/src/service-roles.ts', 'libs/platform/src/index.ts'],
  ['apps/order/src/orders.int-spec.ts', 'libs/testing/src/index.ts'],
  ['infra/scripts/audit.ts', 'libs/testing/src/index.ts'],
  ['infra/scripts/postgres.ts', 'libs/provisioning/src/index.ts'],
  ['infra/scripts/traffic.ts', 'apps/order/src/seed/demo-seed.ts'],
  ['test/saga/saga.e2e-spec.ts', 'libs/testing/src/index.ts'],
];

describe('the architecture rules (.dependency-cruiser.cjs)', () => {
  const tree = mkdtempSync(join(tmpdir(), 'saga-architecture-'));
  let violations: Violation[];

  beforeAll(() => {
    // Arrange: a tree laid out as the repository is, one file per import.
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(tree, path)), { recursive: true });
      writeFileSync(join(tree, path), text);
    };
    const edges = [...FORBIDDEN.map(([, edge]) => edge), ...ALLOWED];
    for (const [from, to] of edges) {
      const specifier = relative(dirname(from), to).replace(/\.ts$/, '');
      write(from, `import { value } from '${specifier.startsWith('.') ? specifier : `./${specifier}`}';\n`);
      write(to, 'export const value = 1;\n');
    }
    write('tsconfig.json', '{ "compilerOptions": { "strict": true } }\n');

    // Act
    violations = cruise(tree, ['apps', 'libs', 'infra', 'test']);
  }, 60_000);

  afterAll(() => rmSync(tree, { recursive: true, force: true }));

  it.each(FORBIDDEN)('%s: catches an import of %j', (rule, [from, to]) => {
    // Assert
    expect(violations).toContainEqual(
      expect.objectContaining({ rule: { name: rule, severity: 'error' }, from, to }),
    );
  });

  it('reports nothing on the imports the rules allow', () => {
    // Assert
    const fromAllowed = violations.filter((violation) => ALLOWED.some(([from]) => from === violation.from));
    expect(fromAllowed).toEqual([]);
  });

  it('finds no violation in the repository', () => {
    // Act
    const found = cruise(REPO_ROOT, ['apps', 'libs', 'infra/scripts', 'test']);

    // Assert
    expect(found.map(({ rule, from, to }) => `${rule.name}: ${from} -> ${to}`)).toEqual([]);
  }, 120_000);
});
