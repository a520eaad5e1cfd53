import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../infra/scripts/local-paths';
import { OVERLOAD } from './saga/overload';
import type { BenchReport } from './saga/report';

/** Where `npm run bench` writes its runs, and where older runs are kept. */
const RESULTS = [join(__dirname, 'results'), join(__dirname, 'results', 'history')];

/** A committed run of `npm run bench`, with the file it came from. */
interface Run {
  readonly file: string;
  readonly report: BenchReport;
}

/** Every committed `saga-*.json`, except `--quick` smoke runs (seconds-long trials), oldest first. */
function committedRuns(): Run[] {
  return RESULTS.flatMap((folder) =>
    readdirSync(folder)
      .filter((name) => /^saga-.*\.json$/.test(name))
      .map((name) => ({
        file: join(folder, name),
        report: JSON.parse(readFileSync(join(folder, name), 'utf8')) as BenchReport,
      })),
  )
    .filter(({ report }) => report.options.trialS >= 10)
    .sort((a, b) => a.report.at.localeCompare(b.report.at));
}

/** The newest run that measured all three variants: the one the ratios come from. */
function latestFullRun(): Run {
  const full = committedRuns().filter(({ report }) =>
    ['raw', 'platform', 'unsafe'].every((name) => report.variants.some((variant) => variant.name === name)),
  );
  return full[full.length - 1];
}

/** The newest run with an overload trial. */
function latestOverloadRun(): Run {
  const withOverload = committedRuns().filter(({ report }) => report.variants.some((v) => v.overload));
  return withOverload[withOverload.length - 1];
}

/** README's `## Performance` section. */
function performanceSection(): string {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Performance\n');
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** The body rows of the section's table, as trimmed cells. */
function tableRows(text: string): string[][] {
  const lines = text.split('\n').filter((line) => line.startsWith('|'));
  return lines.slice(2).map((line) =>
    line
      .slice(1, -1)
      .split('|')
      .map((cell) => cell.trim()),
  );
}

const mark = (ok: boolean) => (ok ? '✔' : '✘');
const thousands = (n: number) => n.toLocaleString('en-US');
const link = (file: string) => `](${relative(REPO_ROOT, file).split('\\').join('/')})`;

/** README's performance table as the latest committed runs say it must read. */
function expectedRows(full: BenchReport, overloaded: BenchReport): string[][] {
  const rate = (name: string) => full.variants.find((variant) => variant.name === name)!.maxRate;
  const r = full.ratios;
  const overload = overloaded.variants.find((variant) => variant.overload)!.overload!;
  const stress = `overload at ${OVERLOAD.factor}× the max rate`;
  return [
    [
      'saga throughput / raw floor',
      `${r.throughputVsRaw.toFixed(2)} (${rate('platform')} / ${rate('raw')} orders/s)`,
      `≥ 0.7 ${mark(r.throughputVsRaw >= 0.7)}`,
    ],
    [
      'exactly-once cost: platform / unsafe build',
      `${r.throughputVsUnsafe.toFixed(2)} (${rate('platform')} / ${rate('unsafe')} orders/s)`,
      `≥ 0.8 ${mark(r.throughputVsUnsafe >= 0.8)}`,
    ],
    [
      'relay drain / raw kafkajs `sendBatch`',
      `${r.relayVsRaw.toFixed(2)} (${thousands(full.relay.relayPerSecond)} / ${thousands(full.relay.rawPerSecond)} events/s)`,
      `≥ 0.7 ${mark(r.relayVsRaw >= 0.7)}`,
    ],
    [
      'latency at half the max rate, p50 / p99',
      `${r.p50AtHalfMs.toFixed(1)} / ${r.p99AtHalfMs.toFixed(1)} ms`,
      `≤ 20 ${mark(r.p50AtHalfMs <= 20)} / ≤ 100 ${mark(r.p99AtHalfMs <= 100)}`,
    ],
    [
      'RSS per service at max rate',
      `≤ ${Math.ceil(r.maxServiceRssMiB)} MiB`,
      `≤ 200 MB ${mark(r.maxServiceRssMiB <= 200)}`,
    ],
    [
      `${stress}: answered 202 or 503 within ${OVERLOAD.answerWithinMs / 1000} s`,
      `${thousands(overload.answeredInTime)} of ${thousands(overload.sent)} (${overload.rate} orders/s)`,
      `all ${mark(overload.answeredInTime === overload.sent)}`,
    ],
    [
      `${stress}: p99 answer time of the accepted`,
      `${overload.acceptedAnswer.p99Ms.toFixed(1)} ms`,
      `≤ ${OVERLOAD.acceptedP99Ms} ${mark(overload.acceptedAnswer.p99Ms <= OVERLOAD.acceptedP99Ms)}`,
    ],
  ];
}

/**
 * README's performance figures come from the newest committed `npm run bench` result: a new run
 * committed without updating README fails here (docs/performance.md holds the history).
 */
describe('README performance table', () => {
  it('has the figures of the latest full bench run and of the latest overload trial', () => {
    // Arrange
    const expected = expectedRows(latestFullRun().report, latestOverloadRun().report);

    // Act
    const rows = tableRows(performanceSection());

    // Assert
    expect(rows).toEqual(expected);
  });

  it('links the result files those figures come from, and the full run chart', () => {
    // Arrange
    const full = latestFullRun().file;
    const chart = full.replace(/\.json$/, '.svg');
    const links = [full, latestOverloadRun().file, ...(existsSync(chart) ? [chart] : [])].map(link);

    // Act
    const section = performanceSection();

    // Assert
    expect(links.filter((target) => !section.includes(target))).toEqual([]);
  });
});
