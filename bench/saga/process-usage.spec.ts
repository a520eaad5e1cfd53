import { ProcessSampler, parseCpuLine, parseCpuTicks, parseStatusKiB } from './process-usage';

describe('process usage', () => {
  it('reads utime + stime from /proc/<pid>/stat, even with spaces and parentheses in the command', () => {
    // Arrange: fields 14 (utime) = 1500 and 15 (stime) = 250
    const stat = '4242 (node (my app)) S 1 4242 4242 0 -1 4194560 5000 0 0 0 1500 250 0 0 20 0 11 0 900 1 2';

    // Act + Assert
    expect(parseCpuTicks(stat)).toBe(1750);
  });

  it('reads kB fields of /proc/<pid>/status', () => {
    // Arrange
    const status = 'Name:\tnode\nVmRSS:\t  123456 kB\nRssAnon:\t  100000 kB\nRssShmem:\t    2048 kB\n';

    // Act + Assert
    expect(parseStatusKiB(status, 'VmRSS')).toBe(123_456);
    expect(parseStatusKiB(status, 'RssShmem')).toBe(2048);
    expect(parseStatusKiB(status, 'VmSwap')).toBe(0);
  });

  it('reads busy and total jiffies from the cpu line of /proc/stat (idle and iowait are not busy)', () => {
    // Arrange: user nice system idle iowait irq softirq steal
    const stat = 'cpu  100 5 50 800 20 3 2 0 0 0\ncpu0 50 2 25 400 10 1 1 0 0 0\n';

    // Act + Assert
    expect(parseCpuLine(stat)).toEqual({ busy: 160, total: 980 });
  });

  it('samples this very process: the CPU it used (as Node counts it) and its RSS in MiB', async () => {
    // Arrange
    const sampler = new ProcessSampler([{ label: 'self', pids: () => [process.pid] }], 10);
    const cpuBefore = process.cpuUsage();
    const wallBefore = performance.now();

    // Act: spend 300 ms of CPU, yielding so the sampler runs
    sampler.start();
    while (process.cpuUsage(cpuBefore).user < 300_000) {
      for (let i = 0; i < 1e5; i += 1) Math.sqrt(i);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const usage = sampler.stop();
    const used = process.cpuUsage(cpuBefore);
    const expected = ((used.user + used.system) / 1000 / (performance.now() - wallBefore)) * 100;

    // Assert: within the 10 ms tick of /proc over a window of 300 ms or more
    expect(Math.abs(usage.self.cpuPercent - expected)).toBeLessThan(15);
    expect(usage.self.maxRssMiB).toBeGreaterThan(10);
    expect(usage.self.maxRssMiB).toBeLessThan(4096);
  });
});
