/**
 * `npm run bench:profile -- <file.cpuprofile>…` — where a V8 CPU profile (`node --cpu-prof`, or
 * `npm run bench -- --profile <folder>`) spent its time: self time by package and by function, and time
 * including callees by package. Idle time is shown, not hidden: a process that waits is not slow.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The package a frame belongs to: `kafkajs`, `@nestjs/core`, `node:net`, the app bundle, or (native). */
export function packageOf(url: string): string {
  if (!url) return '(native)';
  const match = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (match) return match[1];
  if (url.startsWith('node:')) return url;
  if (url.includes('dist/apps/')) return 'app bundle';
  return url.split('/').slice(-2).join('/');
}

/** Self and inclusive time per package and self time per function, as shares of the sampled time. */
export function summariseProfile(profile: Profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfTime = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    selfTime.set(id, (selfTime.get(id) ?? 0) + dt);
    total += dt;
  });
  const add = (map: Map<string, number>, key: string, value: number) =>
    map.set(key, (map.get(key) ?? 0) + value);
  const selfByPackage = new Map<string, number>();
  const inclusiveByPackage = new Map<string, number>();
  const selfByFunction = new Map<string, number>();
  for (const [id, time] of selfTime) {
    const { callFrame } = byId.get(id)!;
    const pkg = packageOf(callFrame.url);
    add(selfByPackage, pkg, time);
    add(selfByFunction, `${callFrame.functionName || '(anonymous)'} (${pkg}:${callFrame.lineNumber})`, time);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const up = packageOf(byId.get(at)!.callFrame.url);
      if (!seen.has(up)) add(inclusiveByPackage, up, time);
      seen.add(up);
    }
  }
  const top = (map: Map<string, number>, n: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])) // ties by name: the same order every run
      .slice(0, n)
      .map(([name, time]) => ({ name, share: Math.round((time / total) * 1000) / 10 }));
  return {
    sampledS: Math.round(total / 1e5) / 10,
    selfByPackage: top(selfByPackage, 12),
    inclusiveByPackage: top(inclusiveByPackage, 12),
    selfByFunction: top(selfByFunction, 20),
  };
}

if (require.main === module) {
  for (const file of process.argv.slice(2)) {
    const summary = summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as Profile);
    console.log(`\n${file}: ${summary.sampledS} s sampled`);
    for (const [title, rows] of [
      ['self time by package', summary.selfByPackage],
      ['time with callees by package', summary.inclusiveByPackage],
      ['self time by function', summary.selfByFunction],
    ] as const) {
      console.log(`  ${title}:`);
      for (const row of rows) console.log(`    ${String(row.share).padStart(5)} %  ${row.name}`);
    }
  }
}
