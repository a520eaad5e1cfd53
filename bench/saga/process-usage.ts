import { readFileSync, readdirSync } from 'node:fs';

/** CPU and memory of one process (or group of processes) over a measurement window. */
export interface ProcessUsage {
  /** CPU time used per second of wall time, in % of one core (200 % = both cores of this machine). */
  readonly cpuPercent: number;
  /** Highest resident set size seen, in MiB (for PostgreSQL: private memory of all its processes + shared). */
  readonly maxRssMiB: number;
}

/** utime + stime in clock ticks, from the text of `/proc/<pid>/stat` (the command may hold spaces). */
export function parseCpuTicks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields after the command start at the state (field 3): utime is field 14, stime field 15.
  return Number(fields[11]) + Number(fields[12]);
}

/** A `kB` field of `/proc/<pid>/status` (VmRSS, RssAnon, RssShmem), in KiB; 0 when absent. */
export function parseStatusKiB(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) : 0;
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process is gone
  }
}

/** The pids of every process whose command name is `name` (e.g. PostgreSQL's `postgres`). */
export function pidsNamed(name: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => read(`/proc/${pid}/comm`)?.trim() === name);
}

/** One sampled group: a label and how to find its pids (again at every sample: backends come and go). */
export interface SampledGroup {
  readonly label: string;
  readonly pids: () => readonly number[];
  /** `shared`: count shared memory once (PostgreSQL's buffers), private memory per process. */
  readonly memory?: 'rss' | 'shared';
}

/**
 * Samples CPU time and RSS of groups of processes every `intervalMs` until stopped, from /proc (Linux).
 * CPU is the ticks used between start and stop; a process that exits during the window counts up to its
 * last sample.
 */
export class ProcessSampler {
  private readonly ticks = new Map<string, Map<number, { first: number; last: number }>>();
  private readonly maxRss = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private startedAt = 0;
  private firstSample = true;

  constructor(
    private readonly groups: readonly SampledGroup[],
    private readonly intervalMs = 250,
  ) {}

  start(): void {
    this.startedAt = performance.now();
    this.firstSample = true;
    this.sample();
    this.firstSample = false;
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  /** Stops sampling and returns each group's usage over the window. */
  stop(): Record<string, ProcessUsage> {
    clearInterval(this.timer);
    this.sample();
    const seconds = (performance.now() - this.startedAt) / 1000;
    return Object.fromEntries(
      this.groups.map((group) => {
        const used = [...(this.ticks.get(group.label)?.values() ?? [])].reduce(
          (sum, t) => sum + t.last - t.first,
          0,
        );
        const usage: ProcessUsage = {
          cpuPercent: Math.round((used / TICKS_PER_SECOND / seconds) * 1000) / 10,
          maxRssMiB: Math.round((this.maxRss.get(group.label) ?? 0) / 102.4) / 10,
        };
        return [group.label, usage];
      }),
    );
  }

  private sample(): void {
    for (const group of this.groups) {
      const ticks = this.ticks.get(group.label) ?? new Map<number, { first: number; last: number }>();
      this.ticks.set(group.label, ticks);
      let rss = 0;
      let shared = 0;
      for (const pid of group.pids()) {
        const stat = read(`/proc/${pid}/stat`);
        const status = read(`/proc/${pid}/status`);
        if (!stat || !status) continue;
        const now = parseCpuTicks(stat);
        const seen = ticks.get(pid);
        // A process first seen mid-window (a new backend) counts from zero: its whole life is in the window.
        ticks.set(pid, { first: seen?.first ?? (this.firstSample ? now : 0), last: now });
        if (group.memory === 'shared') {
          rss += parseStatusKiB(status, 'RssAnon');
          shared = Math.max(shared, parseStatusKiB(status, 'RssShmem'));
        } else {
          rss += parseStatusKiB(status, 'VmRSS');
        }
      }
      this.maxRss.set(group.label, Math.max(this.maxRss.get(group.label) ?? 0, rss + shared));
    }
  }
}

/** Busy and total jiffies of all CPUs, from the first line of /proc/stat. */
export function parseCpuLine(stat: string): { busy: number; total: number } {
  const fields = stat.split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((sum, n) => sum + n, 0);
  const idle = fields[3] + (fields[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

/**
 * Waits until the machine is quiet — under `maxBusy` (0–1) of all CPUs busy over one `windowMs` — so a
 * trial does not inherit the previous one's aftermath (autovacuum, GC, log flushes). Gives up after
 * `timeoutMs` and returns the last share seen, so a machine that never quiets is reported, not hidden.
 */
export async function waitForQuietMachine(
  maxBusy = 0.25,
  windowMs = 1000,
  timeoutMs = 30_000,
): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  let busy = 1;
  while (performance.now() < deadline) {
    const before = parseCpuLine(readFileSync('/proc/stat', 'utf8'));
    await new Promise((resolve) => setTimeout(resolve, windowMs)); // the measuring window, not a sync
    const after = parseCpuLine(readFileSync('/proc/stat', 'utf8'));
    busy = (after.busy - before.busy) / Math.max(1, after.total - before.total);
    if (busy <= maxBusy) break;
  }
  return Math.round(busy * 100) / 100;
}
