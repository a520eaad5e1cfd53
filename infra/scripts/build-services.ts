import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { PLATFORM_SERVICE_NAMES, type PlatformServiceName } from '@saga/contracts';
import { REPO_ROOT } from './local-paths';

/** Where `npm run build` puts the services' bundles: a process running one has it in its command line. */
export const BUNDLE_DIR = join(REPO_ROOT, 'dist', 'apps');

/** The built entry point of a service (`npm run build`). */
export function serviceEntry(service: PlatformServiceName): string {
  return join(BUNDLE_DIR, service, 'main.js');
}

/** Newest modification time of the sources under `folder`: TypeScript, and the dashboard's page files. */
function newestSource(folder: string): number {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(ts|js|css|html)$/.test(entry.name))
    .reduce((newest, entry) => Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs), 0);
}

/**
 * Builds every service (`npm run build`) when a bundle is missing or older than the sources, or when
 * forced: the commands that run them as processes (the demo, the chaos run) never run stale code.
 */
export function buildServices(force: boolean, log: (line: string) => void): void {
  const bundles = PLATFORM_SERVICE_NAMES.map(serviceEntry);
  const oldestBundle = Math.min(...bundles.map((file) => (existsSync(file) ? statSync(file).mtimeMs : 0)));
  const sources = Math.max(newestSource(join(REPO_ROOT, 'apps')), newestSource(join(REPO_ROOT, 'libs')));
  if (!force && oldestBundle > sources) {
    return;
  }
  log('Building the services (npm run build)…');
  const result = spawnSync('npm', ['run', '-s', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    throw new Error(`npm run build failed (exit ${result.status})`);
  }
  // webpack leaves a bundle it would write unchanged as it was (a page file changed, not the code):
  // stamped now, it is not built again at every start.
  const now = new Date();
  bundles.filter((file) => existsSync(file)).forEach((file) => utimesSync(file, now, now));
}
