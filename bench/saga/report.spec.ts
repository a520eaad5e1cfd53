import { markdownReport, ratiosOf, svgChart, type BenchReport, type VariantResult } from './report';
import type { TrialResult } from './trial';

const trial = (rate: number, p50Ms: number, p99Ms: number, rssMiB = 150): TrialResult => ({
  rate,
  sustainable: true,
  durationS: 10,
  sent: rate * 10,
  sentPerSecond: rate,
  errors: {},
  unfinished: 0,
  drainMs: 20,
  latency: { count: rate * 10, p50Ms, p95Ms: p99Ms - 1, p99Ms, maxMs: p99Ms + 5 },
  usage: Object.fromEntries(
    ['order', 'payment', 'inventory', 'notification', 'kafka', 'postgres'].map((s) => [
      s,
      { cpuPercent: 30, maxRssMiB: rssMiB },
    ]),
  ),
  failures: [],
  busyBefore: 0.1,
});

const variant = (name: string, maxRate: number, rssMiB?: number): VariantResult => ({
  name,
  maxRate,
  atMax: trial(maxRate, 30, 140, rssMiB),
  atHalf: trial(maxRate / 2, 12, 60),
  trials: [trial(maxRate, 30, 140, rssMiB)],
});

const report = (variants: VariantResult[]): BenchReport => {
  const relay = { rows: 1000, rawPerSecond: 40_000, relayPerSecond: 32_000 };
  return {
    at: '2026-12-01T00:00:00.000Z',
    machine: { cpus: 2, cpuModel: 'test', memoryGiB: 24, node: 'v20' },
    options: { trialS: 10, latencyS: 30, warmupS: 2 },
    variants,
    relay,
    ratios: ratiosOf(variants, relay),
  };
};

describe('bench report', () => {
  it('computes the ratios of the platform against the raw floor and the unsafe build', () => {
    // Act
    const ratios = ratiosOf([variant('raw', 400), variant('platform', 300, 180), variant('unsafe', 350)], {
      rows: 1,
      rawPerSecond: 40_000,
      relayPerSecond: 30_000,
    });

    // Assert
    expect(ratios).toEqual({
      throughputVsRaw: 0.75,
      throughputVsUnsafe: 0.86,
      relayVsRaw: 0.75,
      p50AtHalfMs: 12,
      p99AtHalfMs: 60,
      maxServiceRssMiB: 180,
    });
  });

  it('compares both relay modes with the raw floor of the same run when platform-wal ran', () => {
    // Arrange
    const raw = variant('raw', 40); // p50 12, p99 60 at half rate
    const wal: VariantResult = { ...variant('platform-wal', 36), atHalf: trial(18, 11, 80) };
    const polling: VariantResult = { ...variant('platform', 34), atHalf: trial(17, 18, 90) };

    // Act
    const ratios = ratiosOf([raw, polling, wal], { rows: 1, rawPerSecond: 1, relayPerSecond: 1 });
    const markdown = markdownReport(report([raw, polling, wal]));
    const without = ratiosOf([raw, polling], { rows: 1, rawPerSecond: 1, relayPerSecond: 1 });

    // Assert
    expect(ratios.relayModes).toEqual([
      { variant: 'platform', maxRate: 34, p50AtHalfMs: 18, p99AtHalfMs: 90, p50VsRaw: 1.5, p99VsRaw: 1.5 },
      {
        variant: 'platform-wal',
        maxRate: 36,
        p50AtHalfMs: 11,
        p99AtHalfMs: 80,
        p50VsRaw: 0.92,
        p99VsRaw: 1.33,
      },
    ]);
    expect(markdown).toContain('| platform | 34 | 18 / 90 | 1.5× | 1.5× |');
    expect(markdown).toContain('| platform-wal | 36 | 11 / 80 | 0.92× ✔ | 1.33× ✘ |');
    expect(without.relayModes).toBeUndefined();
  });

  it('marks each target met or missed in the markdown', () => {
    // Act
    const markdown = markdownReport(
      report([variant('raw', 400), variant('platform', 200, 250), variant('unsafe', 210)]),
    );

    // Assert
    expect(markdown).toContain('| saga throughput / raw floor | 0.5 | ≥ 0.7 | ✘ |');
    expect(markdown).toContain('| platform / unsafe (exactly-once cost) | 0.95 | ≥ 0.8 | ✔ |');
    expect(markdown).toContain('| RSS per service at max rate | 250 MiB | ≤ 200 MB | ✘ |');
    expect(markdown).toContain('| platform | 200 | 12 / 59 / 60 / 65 |');
  });

  it('draws a bar per variant in each panel of the SVG', () => {
    // Act
    const svg = svgChart(report([variant('raw', 400), variant('platform', 300), variant('unsafe', 350)]));

    // Assert: 3 bars of throughput + 3 × 3 latency bars, and a legend of 3
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<rect [^>]*><title>/g)).toHaveLength(12);
    expect(svg).toContain('<title>platform: 300 orders/s</title>');
    expect(svg).toContain('<title>raw: 60 ms</title>');
  });
});
