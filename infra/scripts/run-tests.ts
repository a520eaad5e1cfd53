/**
 * `npm test` — runs the three Jest projects (unit, integration, e2e). Integration and e2e tests need
 * the real Kafka and PostgreSQL: when no broker answers, this brings the infrastructure up first and
 * takes down only what it started, whatever the outcome. Extra arguments go to Jest
 * (`npm test -- --selectProjects unit`, `npm run test:e2e -- test/saga`). Ends with one line
 * `jest: N passed, N failed, N skipped`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { removeTestClusters, testBrokers } from '@saga/test-kit';
import { kafkaSecurityFromEnv } from '@saga/platform/config/kafka-security';
import { brokerAnswers } from './kafka-broker';
import { InfraSession } from './infra-session';
import { REPO_ROOT, localDir } from './local-paths';
import { PrerequisiteError } from './preflight';

interface JestSummary {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
}

let jestProcess: ChildProcess | undefined;

function runJest(args: string[], resultsFile: string): Promise<number> {
  return new Promise((resolve, reject) => {
    jestProcess = spawn(
      process.execPath,
      // --forceExit: a test that leaves a handle open (a hung client after a failure) must not keep CI
      // waiting until its time limit; the results are written before Jest exits either way.
      [require.resolve('jest/bin/jest'), ...args, '--forceExit', '--json', `--outputFile=${resultsFile}`],
      {
        cwd: REPO_ROOT,
        stdio: 'inherit',
      },
    );
    jestProcess.on('error', reject);
    jestProcess.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** The Jest projects of jest.config.js. */
const PROJECTS = ['unit', 'integration', 'e2e'];

/** Splits `--selectProjects a b` / `--selectProjects=a,b` from the other arguments. */
function splitProjects(args: string[]): { selected: string[]; rest: string[] } {
  const selected: string[] = [];
  const rest: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index];
    if (arg.startsWith('--selectProjects=')) {
      selected.push(...arg.slice('--selectProjects='.length).split(','));
    } else if (arg === '--selectProjects') {
      // Only project names: `--selectProjects e2e test/saga` selects e2e and filters by test/saga.
      while (PROJECTS.includes(args[index + 1])) selected.push(args[(index += 1)]);
    } else {
      rest.push(arg);
    }
  }
  return { selected, rest };
}

/** The Jest projects an argument list selects (`--selectProjects a b`, `--selectProjects=a`); all if none. */
export function selectedProjects(args: string[]): string[] {
  const { selected } = splitProjects(args);
  return selected.length > 0 ? selected : PROJECTS;
}

/**
 * The arguments as Jest gets them: the project selection last, so that paths after it
 * (`npm run test:e2e -- test/shipping`) filter the tests instead of being read as project names.
 */
export function jestArguments(args: string[]): string[] {
  const { selected, rest } = splitProjects(args);
  return selected.length > 0 ? [...rest, '--selectProjects', ...selected] : rest;
}

function summaryLine(resultsFile: string): string {
  try {
    const summary = JSON.parse(readFileSync(resultsFile, 'utf8')) as JestSummary;
    const skipped = summary.numPendingTests + summary.numTodoTests;
    return `jest: ${summary.numPassedTests} passed, ${summary.numFailedTests} failed, ${skipped} skipped`;
  } catch {
    return 'jest: no results were written (it did not run to the end)';
  }
}

async function main(args: string[]): Promise<number> {
  const session = new InfraSession();
  const interrupt = (signal: NodeJS.Signals) => {
    jestProcess?.kill(signal);
    void removeTestClusters(localDir())
      .catch(() => 0)
      .then(() => session.close())
      .finally(() => process.exit(130));
  };
  process.on('SIGINT', interrupt).on('SIGTERM', interrupt);

  if (selectedProjects(args).some((project) => project !== 'unit')) {
    if (await brokerAnswers(testBrokers(), 2000, undefined, 1, kafkaSecurityFromEnv())) {
      await session.openPostgres();
      console.log(`[test] Using the Kafka broker that answers on ${testBrokers().join(',')}.`);
    } else if (process.env.KAFKA_BROKERS) {
      throw new PrerequisiteError(
        `KAFKA_BROKERS=${process.env.KAFKA_BROKERS} does not answer. Start that broker, or unset KAFKA_BROKERS ` +
          'to let npm test start a local one.',
      );
    } else {
      console.log('[test] No Kafka broker answers; bringing the infrastructure up for this run.');
      await session.open();
    }
  }
  const resultsFile = join(localDir(), 'test-results', 'jest.json');
  mkdirSync(join(localDir(), 'test-results'), { recursive: true });
  rmSync(resultsFile, { force: true });
  try {
    const code = await runJest(jestArguments(args), resultsFile);
    console.log(summaryLine(resultsFile));
    return code;
  } finally {
    // The WAL relay's tests start PostgreSQL clusters of their own; a killed test leaves its running.
    const left = await removeTestClusters(localDir()).catch(() => 0);
    if (left > 0) console.log(`[test] Stopped ${left} PostgreSQL test cluster(s) a test left running.`);
    await session.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof PrerequisiteError || error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
