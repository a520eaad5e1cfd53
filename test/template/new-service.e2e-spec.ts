import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { PLATFORM_SERVICE_NAMES, isPlatformService } from '@saga/contracts';
import { MachineLock } from '@saga/test-kit';

const REPO_ROOT = join(__dirname, '..', '..');
const GUIDE = 'docs/guides/new-service.md';

/**
 * The guide's example is `shipping` producing ShipmentScheduled. In a repository that has followed the
 * guide already, the steps run with another name and event, so the template is still tested there.
 */
const EXAMPLE_FREE = !isPlatformService('shipping') && !existsSync(join(REPO_ROOT, 'apps', 'shipping'));
const NAME = EXAMPLE_FREE ? 'shipping' : 'templatecheck';
const EVENT_FILE = EXAMPLE_FREE ? 'shipment-scheduled' : 'template-checked';
const asHere = (step: string) =>
  EXAMPLE_FREE ? step : step.replace(/\bshipping\b/g, NAME).replace(/ShipmentScheduled/g, 'TemplateChecked');

/** The commands of the guide's quick start: the fenced block after `<!-- template-test: steps -->`. */
function guideSteps(): string[] {
  const guide = readFileSync(join(REPO_ROOT, GUIDE), 'utf8');
  const block = /<!-- template-test: steps -->\s*```sh\n([\s\S]*?)```/.exec(guide);
  if (!block) throw new Error(`${GUIDE} has no "<!-- template-test: steps -->" block`);
  return block[1]
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '');
}

/** A copy of the repository as a clone has it (tracked and untracked, not ignored), sharing node_modules. */
function copyRepository(): string {
  const copy = mkdtempSync(join(tmpdir(), 'saga-template-'));
  const listed = spawnSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: REPO_ROOT });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr.toString()}`);
  for (const file of listed.stdout.toString().split('\0').filter(Boolean)) {
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    copyFileSync(join(REPO_ROOT, file), join(copy, file));
  }
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
  return copy;
}

/** One hash of every file of the copy (not dependencies, builds or run-time state): "nothing changed". */
function treeHash(root: string): string {
  const hash = createHash('sha256');
  const files = readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .filter((file) => !/^(node_modules|dist|\.local)(\/|$)/.test(file))
    .sort();
  for (const file of files)
    hash
      .update(`${file}\0`)
      .update(readFileSync(join(root, file)))
      .update('\0');
  return hash.digest('hex');
}

/**
 * The template works: in a copy of the repository, the guide's steps — generate a `shipping` service
 * that consumes OrderConfirmed and produces ShipmentScheduled, build, run its own tests (its e2e test
 * runs the saga through the real broker), lint — all pass untouched; and the generator refuses an
 * existing name or an unknown event, changing nothing.
 */
describe(`the service template (${GUIDE}, npm run generate:service)`, () => {
  const steps = guideSteps();
  let copy: string;

  /** Runs a shell command in the copy, as a user would in a terminal. */
  const run = (command: string) => {
    const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '0' };
    delete env.JEST_WORKER_ID;
    const result = spawnSync('bash', ['-c', command], {
      cwd: copy,
      env,
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    const output = `${result.stdout}${result.stderr}`;
    return { code: result.status, stderr: result.stderr, tail: output.split('\n').slice(-60).join('\n') };
  };

  /** The copy's Jest results of the last `npm test`-style run (infra/scripts/run-tests.ts writes them). */
  const lastJestRun = () => {
    const results = JSON.parse(readFileSync(join(copy, '.local', 'test-results', 'jest.json'), 'utf8')) as {
      numFailedTests: number;
      numPassedTests: number;
      testResults: { name: string; status: string }[];
    };
    return {
      failed: results.numFailedTests,
      files: results.testResults.map((result) => `${relative(copy, result.name)} ${result.status}`).sort(),
    };
  };

  let machine: MachineLock | undefined;

  // Building, linting and testing a whole copy loads both cores for minutes: not beside the bench test.
  beforeAll(async () => {
    machine = await MachineLock.acquire('template');
    copy = copyRepository();
  }, 15 * 60_000);

  afterAll(async () => {
    if (copy) rmSync(copy, { recursive: true, force: true });
    await machine?.release();
  });

  it('follows the guide: generate, build, test, lint', () => {
    expect(steps).toEqual([
      'npm run generate:service -- shipping --consumes OrderConfirmed --produces ShipmentScheduled',
      'npm run build',
      'npm run test:unit -- apps/shipping',
      'npm run test:e2e -- test/shipping',
      'npm run lint',
    ]);
  });

  it.each([
    ['an existing name', 'payment --consumes OrderConfirmed', /payment exists already/],
    [
      'an unknown event',
      `${NAME} --consumes OrderShipped`,
      /--consumes: unknown event OrderShipped; known events:/,
    ],
    [
      'an event that exists as a new one',
      `${NAME} --consumes OrderConfirmed --produces OrderCancelled`,
      /exists already/,
    ],
  ])('refuses %s before the service exists, changing nothing', (_what, args, message) => {
    // Arrange
    const before = treeHash(copy);

    // Act
    const result = run(`npm run -s generate:service -- ${args}`);

    // Assert
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain('Nothing was changed.');
    expect(treeHash(copy)).toBe(before);
  });

  it(
    `generates the ${NAME} service, whose unit and e2e tests pass, builds it and lints clean`,
    () => {
      for (const step of steps.map(asHere)) {
        // Act
        const result = run(step);

        // Assert: each step exits 0 (its output is shown when not)
        expect({ step, code: result.code, output: result.code === 0 ? '' : result.tail }).toEqual({
          step,
          code: 0,
          output: '',
        });
        if (step.startsWith('npm run test:unit')) {
          expect(lastJestRun()).toEqual({
            failed: 0,
            files: [
              `apps/${NAME}/src/app.module.spec.ts passed`,
              `apps/${NAME}/src/orders/${EVENT_FILE}.spec.ts passed`,
            ],
          });
        }
        if (step.startsWith('npm run test:e2e')) {
          expect(lastJestRun()).toEqual({
            failed: 0,
            files: [`test/${NAME}/${NAME}-saga.e2e-spec.ts passed`],
          });
        }
      }
      // Beyond the guide: every unit test of the repository still passes with the new service registered.
      const unit = run('npm run test:unit');
      expect({ code: unit.code, output: unit.code === 0 ? '' : unit.tail }).toEqual({ code: 0, output: '' });
      expect(lastJestRun().failed).toBe(0);
      expect(readdirSync(join(copy, 'dist', 'apps')).sort()).toEqual(
        [...PLATFORM_SERVICE_NAMES, NAME].sort(),
      );
    },
    20 * 60_000,
  );

  it(`refuses to generate ${NAME} again, changing nothing`, () => {
    // Arrange
    const before = treeHash(copy);

    // Act
    const result = run(`npm run -s generate:service -- ${NAME} --consumes OrderConfirmed`);

    // Assert
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(`${NAME} exists already \\(the service registry, nest-cli\\.json, apps/${NAME}`),
    );
    expect(treeHash(copy)).toBe(before);
  });
});
