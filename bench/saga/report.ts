import { SERVICE_NAMES } from '@saga/contracts';
import { OVERLOAD, type OverloadResult } from './overload';
import type { TrialResult } from './trial';

/** One variant's figures: its highest sustainable rate, and the latency run at half of it. */
export interface VariantResult {
  readonly name: string;
  readonly maxRate: number;
  /** The trial at the highest sustainable rate (CPU and RSS "at max rate"). */
  readonly atMax?: TrialResult;
  /** The latency run at 50 % of `maxRate`. */
  readonly atHalf?: TrialResult;
  readonly trials: TrialResult[];
  /** The platform at twice its highest sustainable rate: answered, not timed out (issue 18). */
  readonly overload?: OverloadResult;
}

/** Everything `npm run bench` writes to bench/results/saga-<time>.json. */
export interface BenchReport {
  readonly at: string;
  readonly machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string };
  readonly options: Record<string, number>;
  readonly variants: VariantResult[];
  readonly relay: {
    rows: number;
    rawPerSecond: number;
    relayPerSecond: number;
    rawRounds?: number[];
    relayRounds?: number[];
  };
  readonly ratios: Ratios;
  /** The outbox relay of the platform variants, and the server: the run's default one, or one the run started. */
  readonly database?: { relay: 'notify' | 'wal'; server: 'machine' | 'own' };
}

/**
 * Both relay modes against the raw floor of the same run (issue 20): the `platform` variant (its relay as
 * the run's, `notify` by default) and `platform-wal`, each at half its own highest rate. The WAL relay's
 * targets: p50 ≤ 1.0× and p99 ≤ 1.2× the raw floor's.
 */
export interface RelayModeRow {
  readonly variant: string;
  readonly maxRate: number;
  readonly p50AtHalfMs: number;
  readonly p99AtHalfMs: number;
  readonly p50VsRaw: number;
  readonly p99VsRaw: number;
}

/** The WAL relay's targets against the raw floor (issue 20). */
export const WAL_TARGETS = { p50VsRaw: 1.0, p99VsRaw: 1.2 } as const;

/** The issue's targets, as ratios and limits, computed from one run. */
export interface Ratios {
  readonly throughputVsRaw: number;
  readonly throughputVsUnsafe: number;
  readonly relayVsRaw: number;
  readonly p50AtHalfMs: number;
  readonly p99AtHalfMs: number;
  readonly maxServiceRssMiB: number;
  /** Present when the run had `platform-wal` beside `platform` and `raw`. */
  readonly relayModes?: RelayModeRow[];
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** The ratios of a run: platform against the raw floor and the unsafe build, relay against sendBatch. */
export function ratiosOf(variants: readonly VariantResult[], relay: BenchReport['relay']): Ratios {
  const by = (name: string) => variants.find((v) => v.name === name);
  const platform = by('platform');
  const rss = SERVICE_NAMES.map((s) => platform?.atMax?.usage[s]?.maxRssMiB ?? Number.NaN);
  return {
    throughputVsRaw: round2((platform?.maxRate ?? 0) / (by('raw')?.maxRate ?? Number.NaN)),
    throughputVsUnsafe: round2((platform?.maxRate ?? 0) / (by('unsafe')?.maxRate ?? Number.NaN)),
    relayVsRaw: round2(relay.relayPerSecond / relay.rawPerSecond),
    p50AtHalfMs: platform?.atHalf?.latency.p50Ms ?? Number.NaN,
    p99AtHalfMs: platform?.atHalf?.latency.p99Ms ?? Number.NaN,
    maxServiceRssMiB: Math.max(...rss),
    ...relayModesOf(variants),
  };
}

/** {@link RelayModeRow}s, when the run has `raw`, `platform` and `platform-wal` with their latency runs. */
function relayModesOf(variants: readonly VariantResult[]): { relayModes?: RelayModeRow[] } {
  const raw = variants.find((v) => v.name === 'raw')?.atHalf?.latency;
  const modes = ['platform', 'platform-wal'].map((name) => variants.find((v) => v.name === name));
  if (!raw || modes.some((v) => !v?.atHalf)) return {};
  return {
    relayModes: modes.map((v) => ({
      variant: v!.name,
      maxRate: v!.maxRate,
      p50AtHalfMs: v!.atHalf!.latency.p50Ms,
      p99AtHalfMs: v!.atHalf!.latency.p99Ms,
      p50VsRaw: round2(v!.atHalf!.latency.p50Ms / raw.p50Ms),
      p99VsRaw: round2(v!.atHalf!.latency.p99Ms / raw.p99Ms),
    })),
  };
}

const mark = (ok: boolean) => (ok ? '✔' : '✘');

/** The markdown report: targets, then each variant's rate, latency, CPU and RSS. */
export function markdownReport(report: BenchReport): string {
  const r = report.ratios;
  const lines = [
    `# Saga benchmark — ${report.at}`,
    '',
    `${report.machine.cpus} × ${report.machine.cpuModel}, ${report.machine.memoryGiB} GiB, Node ${report.machine.node}. ` +
      `Trials of ${report.options.trialS} s (latency run ${report.options.latencyS} s), warm-up ${report.options.warmupS} s.`,
    '',
    '| target | measured | goal | |',
    '|---|---|---|---|',
    `| saga throughput / raw floor | ${r.throughputVsRaw} | ≥ 0.7 | ${mark(r.throughputVsRaw >= 0.7)} |`,
    `| p50 at 50 % of max rate | ${r.p50AtHalfMs} ms | ≤ 20 ms | ${mark(r.p50AtHalfMs <= 20)} |`,
    `| p99 at 50 % of max rate | ${r.p99AtHalfMs} ms | ≤ 100 ms | ${mark(r.p99AtHalfMs <= 100)} |`,
    `| relay drain / raw sendBatch | ${r.relayVsRaw} | ≥ 0.7 | ${mark(r.relayVsRaw >= 0.7)} |`,
    `| platform / unsafe (exactly-once cost) | ${r.throughputVsUnsafe} | ≥ 0.8 | ${mark(r.throughputVsUnsafe >= 0.8)} |`,
    `| RSS per service at max rate | ${r.maxServiceRssMiB} MiB | ≤ 200 MB | ${mark(r.maxServiceRssMiB <= 200)} |`,
    '',
    '| variant | max rate (orders/s) | latency at 50 %: p50 / p95 / p99 / max (ms) | CPU % at max: order / payment / inventory / notification / kafka / postgres | RSS MiB at max: order / payment / inventory / notification |',
    '|---|---|---|---|---|',
  ];
  for (const v of report.variants) {
    const l = v.atHalf?.latency;
    const u = v.atMax?.usage ?? {};
    const cpu = [...SERVICE_NAMES, 'kafka', 'postgres'].map((s) => u[s]?.cpuPercent ?? '–').join(' / ');
    const rss = SERVICE_NAMES.map((s) => u[s]?.maxRssMiB ?? '–').join(' / ');
    lines.push(
      `| ${v.name} | ${v.maxRate} | ${l ? `${l.p50Ms} / ${l.p95Ms} / ${l.p99Ms} / ${l.maxMs}` : '–'} | ${cpu} | ${rss} |`,
    );
  }
  if (r.relayModes) {
    lines.push(
      '',
      "Both relay modes in this run, against the raw floor at half of each one's highest rate (targets for the WAL relay: " +
        `p50 ≤ ${WAL_TARGETS.p50VsRaw}×, p99 ≤ ${WAL_TARGETS.p99VsRaw}× raw's):`,
      '',
      '| variant | max rate | p50 / p99 at half rate (ms) | p50 / raw | p99 / raw |',
      '|---|---|---|---|---|',
      ...r.relayModes.map((m) => {
        const marks =
          m.variant === 'platform-wal'
            ? [` ${mark(m.p50VsRaw <= WAL_TARGETS.p50VsRaw)}`, ` ${mark(m.p99VsRaw <= WAL_TARGETS.p99VsRaw)}`]
            : ['', ''];
        return `| ${m.variant} | ${m.maxRate} | ${m.p50AtHalfMs} / ${m.p99AtHalfMs} | ${m.p50VsRaw}×${marks[0]} | ${m.p99VsRaw}×${marks[1]} |`;
      }),
    );
  }
  const overload = report.variants.find((v) => v.overload)?.overload;
  if (overload) {
    const a = overload.acceptedAnswer;
    lines.push(
      '',
      `**Overload** (the platform at ${OVERLOAD.factor}× its highest rate, ${overload.rate} orders/s for ${overload.durationS} s): ` +
        `${overload.answeredInTime} of ${overload.sent} requests answered 202 or 503 within ${OVERLOAD.answerWithinMs} ms ` +
        `(${Object.entries(overload.statuses)
          .map(([status, n]) => `${n} × ${status}`)
          .join(', ')}) ${mark(overload.answeredInTime === overload.sent)}; ` +
        `accepted ${overload.acceptedPerSecond}/s, their answer p50 / p99 / max ${a.p50Ms} / ${a.p99Ms} / ${a.maxMs} ms ` +
        `(goal p99 ≤ ${OVERLOAD.acceptedP99Ms} ms ${mark(a.p99Ms <= OVERLOAD.acceptedP99Ms)}); the 503s' p99 ${overload.refusedAnswer.p99Ms} ms; ` +
        `accepted → terminal p50 / p99 ${overload.settle.p50Ms} / ${overload.settle.p99Ms} ms, ${overload.unfinished} unfinished.`,
    );
  }
  lines.push(
    '',
    `Relay drain of ${report.relay.rows} rows (median of ${report.relay.rawRounds?.length ?? 1}): raw sendBatch ` +
      `${report.relay.rawPerSecond} events/s, relay ${report.relay.relayPerSecond} events/s.`,
    '',
    '## Trials',
    '',
    '| variant | rate | sent/s | p50 | p99 | drain ms | CPUs busy before | verdict |',
    '|---|---|---|---|---|---|---|---|',
    ...report.variants.flatMap((v) =>
      v.trials.map(
        (t) =>
          `| ${v.name} | ${t.rate} | ${t.sentPerSecond} | ${t.latency.p50Ms} | ${t.latency.p99Ms} | ${t.drainMs} | ${t.busyBefore} | ${t.sustainable ? 'sustainable' : t.failures.join('; ')} |`,
      ),
    ),
    '',
  );
  return lines.join('\n');
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** Bars of `values` (one per variant) in a panel at `x`, scaled to the panel's largest value. */
function panel(
  x: number,
  title: string,
  groups: { label: string; values: { name: string; value: number; color: string }[] }[],
  unit: string,
): string {
  const width = 420;
  const height = 220;
  const max = Math.max(
    1,
    ...groups.flatMap((g) => g.values.map((v) => (Number.isFinite(v.value) ? v.value : 0))),
  );
  const groupWidth = (width - 40) / groups.length;
  const parts = [
    `<text x="${x + width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escape(title)}</text>`,
    `<line x1="${x + 30}" y1="${height}" x2="${x + width}" y2="${height}" stroke="#333"/>`,
  ];
  groups.forEach((group, g) => {
    const barWidth = (groupWidth - 16) / group.values.length;
    group.values.forEach((v, i) => {
      const value = Number.isFinite(v.value) ? v.value : 0;
      const h = (value / max) * (height - 50);
      const bx = x + 36 + g * groupWidth + i * barWidth;
      parts.push(
        `<rect x="${bx}" y="${height - h}" width="${barWidth - 3}" height="${h}" fill="${v.color}"><title>${escape(v.name)}: ${value} ${unit}</title></rect>`,
        `<text x="${bx + (barWidth - 3) / 2}" y="${height - h - 4}" text-anchor="middle" font-size="10">${Math.round(value * 10) / 10}</text>`,
      );
    });
    parts.push(
      `<text x="${x + 36 + g * groupWidth + (groupWidth - 16) / 2}" y="${height + 16}" text-anchor="middle" font-size="12">${escape(group.label)}</text>`,
    );
  });
  return parts.join('\n');
}

const COLORS: Record<string, string> = {
  raw: '#9e9e9e',
  unsafe: '#f28e2b',
  platform: '#4e79a7',
  'platform-wal': '#76b7b2',
};

/** An SVG chart: max sustainable rate per variant, and latency percentiles at 50 % of each one's max. */
export function svgChart(report: BenchReport): string {
  const color = (name: string) => COLORS[name] ?? '#59a14f';
  const throughput = panel(
    0,
    'Max sustainable rate (orders/s)',
    [
      {
        label: 'orders/s',
        values: report.variants.map((v) => ({ name: v.name, value: v.maxRate, color: color(v.name) })),
      },
    ],
    'orders/s',
  );
  const latency = panel(
    460,
    'Latency at 50 % of max rate (ms)',
    (['p50Ms', 'p95Ms', 'p99Ms'] as const).map((p) => ({
      label: p.replace('Ms', ''),
      values: report.variants.map((v) => ({
        name: v.name,
        value: v.atHalf?.latency[p] ?? Number.NaN,
        color: color(v.name),
      })),
    })),
    'ms',
  );
  const legend = report.variants
    .map(
      (v, i) =>
        `<rect x="${20 + i * 140}" y="262" width="12" height="12" fill="${color(v.name)}"/><text x="${36 + i * 140}" y="273" font-size="12">${escape(v.name)}</text>`,
    )
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="900" height="290" font-family="sans-serif" viewBox="0 0 900 290">
<rect width="900" height="290" fill="white"/>
${throughput}
${latency}
${legend}
</svg>
`;
}
