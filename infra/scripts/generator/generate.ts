import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { contractFile, contractPath } from './contract-files';
import { registrations } from './registrations';
import { serviceFiles } from './service-files';
import { GeneratorError, type ServiceSpec } from './service-spec';

/** One file the generator writes: new, or an existing one with the service registered in it. */
export interface PlannedFile {
  readonly path: string;
  readonly content: string;
  readonly created: boolean;
}

/**
 * Every file of the new service, in memory and formatted as `npm run lint` wants it. Nothing is written:
 * whatever is refused here (a moved marker, a file that exists) leaves the repository as it was.
 */
export async function planFiles(
  root: string,
  spec: ServiceSpec,
  migrationTimestamp: number,
): Promise<PlannedFile[]> {
  const read = (path: string) => readFileSync(join(root, path), 'utf8');
  const created: Record<string, string> = { ...serviceFiles(spec, migrationTimestamp) };
  for (const event of spec.produces) created[contractPath(spec, event)] = contractFile(spec, event);
  const taken = Object.keys(created).filter((path) => existsSync(join(root, path)));
  if (taken.length > 0) throw new GeneratorError(`would overwrite ${taken.join(', ')}: nothing was written`);
  const planned = [
    ...Object.entries(created).map(([path, content]) => ({ path, content, created: true })),
    ...Object.entries(registrations(spec, read)).map(([path, content]) => ({
      path,
      content,
      created: false,
    })),
  ];
  return Promise.all(
    planned.map(async (file) => {
      const filepath = join(root, file.path);
      const options = (await resolveConfig(filepath)) ?? {};
      const parser = file.path === 'Dockerfile' || file.path.endsWith('.sql') ? undefined : filepath;
      const content = parser ? await format(file.content, { ...options, filepath: parser }) : file.content;
      return { ...file, content };
    }),
  );
}

/** Writes the planned files. */
export function writeFiles(root: string, files: readonly PlannedFile[]): void {
  for (const file of files) {
    const path = join(root, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.content);
  }
}
