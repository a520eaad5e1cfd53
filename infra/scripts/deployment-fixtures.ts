import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './local-paths';

/*
 * What the deployment specs (docker-compose, observability stack, Grafana dashboard, Dockerfile) share:
 * reading a repository file, and the part of a Compose file they look at.
 */

/** A service of docker-compose.yml, as far as the specs read it. */
export interface ComposeService {
  image?: string;
  command?: string[];
  build?: { context: string; args?: Record<string, string> };
  environment?: Record<string, string | number>;
  ports?: string[];
  expose?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

/** docker-compose.yml, as far as the specs read it. */
export interface Compose {
  services: Record<string, ComposeService>;
}

/** A repository file's text. */
export const read = (file: string) => readFileSync(join(REPO_ROOT, file), 'utf8');

/** `host:container[:ro]` volumes of a Compose service, as its host paths (relative to the repository). */
export function mounts(service: ComposeService): { host: string; container: string }[] {
  return (service.volumes ?? []).map((volume) => {
    const [host, container] = volume.split(':');
    return { host: host.replace(/^\.\//, ''), container };
  });
}
