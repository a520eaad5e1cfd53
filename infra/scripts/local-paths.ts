import { resolve } from 'node:path';

/** The repository's root folder. */
export const REPO_ROOT = resolve(__dirname, '..', '..');

/**
 * Where the scripts keep run-time state: pid files, logs, Kafka's jars and data. Git-ignored;
 * `SAGA_LOCAL_DIR` moves it (tests use that to run a second, throw-away broker).
 */
export function localDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(REPO_ROOT, env.SAGA_LOCAL_DIR || '.local');
}
