import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { localDir } from '../local-paths';
import { isAlive, livePid, removePidFile, stopPid } from '../processes';
import { instanceId, type InstanceSpec, type Launcher } from './supervisor';

/** Where demos keep their instances' pid files: `.local/demo/<demo's pid>/<service>-<n>.pid`. */
export function demoPidDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(localDir(env), 'demo');
}

/** This demo's folder of pid files: two demos at once (a test's beside yours) never share one. */
export const runPidDir = (root: string, demoPid: number) => join(root, String(demoPid));

const pidFile = (dir: string, spec: InstanceSpec) => join(dir, `${instanceId(spec)}.pid`);

/** What an instance's process is: `node <args…>` with an environment, its output prefixed with its id. */
export interface InstanceCommand {
  /** Arguments of `node` (the entry point first). */
  readonly args: (spec: InstanceSpec) => string[];
  readonly env: (spec: InstanceSpec) => NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Where its output lines go (the demo: its terminal, each line prefixed with the instance's id). */
  readonly output?: (id: string, line: string, stream: 'stdout' | 'stderr') => void;
}

/**
 * Starts instances as `node` processes and keeps a pid file for each while it runs, so that a demo that
 * dies without stopping them (kill -9) leaves nothing that `infra:down` or the next demo cannot stop
 * ({@link stopLeftoverInstances}).
 */
export function processLauncher(command: InstanceCommand, pidDir: string): Launcher {
  mkdirSync(pidDir, { recursive: true });
  return (spec) => {
    const child = spawn(process.execPath, command.args(spec), {
      cwd: command.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: command.env(spec),
    });
    const pid = child.pid;
    if (pid === undefined) throw new Error(`${instanceId(spec)} could not be started`);
    const file = pidFile(pidDir, spec);
    writeFileSync(file, String(pid));
    for (const stream of ['stdout', 'stderr'] as const) {
      eachLine(child[stream], (line) => command.output?.(instanceId(spec), line, stream));
    }
    return {
      pid,
      kill: (signal) => void child.kill(signal),
      onExit: (listener) =>
        child.once('exit', (code, signal) => {
          removePidFile(file);
          listener(code, signal);
        }),
    };
  };
}

function eachLine(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let rest = '';
  stream.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop() ?? '';
    lines.forEach(onLine);
  });
}

/**
 * Stops the instances that demos which are gone left running: the pid files under `root` of every demo
 * whose own pid no longer runs (a live demo keeps its own). Each is stopped only if its command line
 * still contains `marker` (the bundles' folder): a pid reused by another program is never signalled.
 * Returns the ids stopped.
 */
export async function stopLeftoverInstances(
  root: string,
  marker: string,
  log: (line: string) => void,
): Promise<string[]> {
  if (!existsSync(root)) return [];
  const orphaned = readdirSync(root).filter((name) => /^\d+$/.test(name) && !isAlive(Number(name)));
  const stopped = await Promise.all(
    orphaned.map(async (demo) => {
      const dir = join(root, demo);
      const ids = await Promise.all(
        readdirSync(dir)
          .filter((name) => name.endsWith('.pid'))
          .map((name) => stopLeftover(join(dir, name), marker, demo, log)),
      );
      rmSync(dir, { recursive: true, force: true });
      return ids.filter((id): id is string => id !== undefined);
    }),
  );
  return stopped.flat();
}

async function stopLeftover(file: string, marker: string, demo: string, log: (line: string) => void) {
  const pid = livePid(file, marker);
  if (pid === undefined) return undefined;
  await stopPid(pid, 10_000);
  const id = basename(file, '.pid');
  log(`Stopped ${id} (pid ${pid}), left running by a demo that is gone (pid ${demo}).`);
  return id;
}
