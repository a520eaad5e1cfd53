import { percentile, summarise } from './latency-summary';

describe('latency summary', () => {
  it('takes nearest-rank percentiles', () => {
    // Arrange
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);

    // Act + Assert
    expect([
      percentile(sorted, 50),
      percentile(sorted, 95),
      percentile(sorted, 99),
      percentile(sorted, 100),
    ]).toEqual([50, 95, 99, 100]);
    expect(percentile([7], 99)).toBe(7);
  });

  it('summarises values in any order, rounded to 0.1 ms', () => {
    // Act
    const summary = summarise([3.14159, 1.01, 2.55, 10.04]);

    // Assert
    expect(summary).toEqual({ count: 4, p50Ms: 2.6, p95Ms: 10, p99Ms: 10, maxMs: 10 });
  });

  it('reports NaN, not zero, when nothing was measured', () => {
    expect(summarise([])).toEqual({ count: 0, p50Ms: NaN, p95Ms: NaN, p99Ms: NaN, maxMs: NaN });
  });
});
