/**
 * `npm test` — runs the three Jest projects (unit, integration, e2e). Integration and e2e tests need
 * the real Kafka and PostgreSQL: when no broker answers, this brings the infrastructure up first and
 * takes down only what it started, whatever the outcome. Extra arguments go to Jest
 * (`npm test -- --selectProjects unit`). Ends with one line `jest: N passed, N failed, N skipped`.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { postgresServerUrl, testBrokers } from '@saga/testing';
import { brokerAnswers } from './kafka-broker';
import { infraDown, infraUp } from './infra';
import { REPO_ROOT, localDir } from './local-paths';
import { PrerequisiteError } from './preflight';
import { requirePostgres } from './postgres';

interface JestSummary {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
}

function runJest(args: string[], resultsFile: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const jest = spawn(
      process.execPath,
      [require.resolve('jest/bin/jest'), ...args, '--json', `--outputFile=${resultsFile}`],
      { cwd: REPO_ROOT, stdio: 'inherit' },
    );
    const forward = (signal: NodeJS.Signals) => jest.kill(signal);
    process.on('SIGINT', forward).on('SIGTERM', forward);
    jest.on('error', reject);
    jest.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
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
  const needsInfra = !args.includes('unit') || args.some((arg) => /integration|e2e/.test(arg));
  let startedKafka = false;
  if (needsInfra) {
    if (await brokerAnswers(testBrokers(), 2000)) {
      await requirePostgres(postgresServerUrl());
      console.log(`[test] Using the Kafka broker that answers on ${testBrokers().join(',')}.`);
    } else {
      console.log('[test] No Kafka broker answers; bringing the infrastructure up for this run.');
      startedKafka = (await infraUp()).startedKafka;
    }
  }
  const resultsFile = join(localDir(), 'test-results', 'jest.json');
  mkdirSync(join(localDir(), 'test-results'), { recursive: true });
  rmSync(resultsFile, { force: true });
  try {
    const code = await runJest(args, resultsFile);
    console.log(summaryLine(resultsFile));
    return code;
  } finally {
    if (startedKafka) {
      console.log('[test] Stopping the broker this run started.');
      await infraDown();
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof PrerequisiteError || error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
