import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PLATFORM_SERVICE_NAMES } from '@saga/contracts';
import { DEFAULT_PORTS } from '@saga/platform/config';
import { REPO_ROOT } from './local-paths';
import { read } from './deployment-fixtures';

/** The Dockerfile's stages by their `AS` name, each as its instructions with line continuations joined. */
function dockerfileStages(text: string): Record<string, string[]> {
  const instructions = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages: Record<string, string[]> = {};
  let current: string[] = [];
  for (const instruction of instructions) {
    const from = /^FROM\s+\S+\s+AS\s+(\S+)$/i.exec(instruction);
    if (from) stages[from[1]] = current = [instruction];
    else current.push(instruction);
  }
  return stages;
}

/** `npm ci` and `npm run <script>` commands in order, flags dropped, so CI and the Dockerfile compare. */
function npmBuildSteps(text: string): string[] {
  return [...text.matchAll(/\bnpm (ci|run)\b([^\n&;]*)/g)].map(([, verb, rest]) =>
    [
      'npm',
      verb,
      ...rest
        .trim()
        .split(/\s+/)
        .filter((word) => word !== '' && !word.startsWith('-')),
    ].join(' '),
  );
}

/** Whether `.dockerignore` keeps `path` out of the build context (Docker's rules: last match wins, a
 * pattern also covers everything under a matched folder, `**` spans folders, `!` re-includes). */
function dockerIgnores(patterns: string[], path: string): boolean {
  const toRegExp = (pattern: string) =>
    new RegExp(
      `^${pattern
        .replace(/^\/+|\/+$/g, '')
        .split(/(\*\*\/?|\*|\?)/)
        .map((part) =>
          part.startsWith('**')
            ? '(.*/)?'
            : part === '*'
              ? '[^/]*'
              : part === '?'
                ? '[^/]'
                : part.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
        )
        .join('')}(/.*)?$`,
    );
  return patterns.reduce((ignored, pattern) => {
    const negated = pattern.startsWith('!');
    return toRegExp(negated ? pattern.slice(1) : pattern).test(path) ? !negated : ignored;
  }, false);
}

describe('Dockerfile', () => {
  const stages = dockerfileStages(read('Dockerfile'));

  it('builds with exactly the npm steps CI runs (npm ci, then npm run build)', () => {
    // Arrange
    const ciSteps = npmBuildSteps(read('.ci/run')).filter((step) =>
      ['npm ci', 'npm run build'].includes(step),
    );

    // Act
    const buildSteps = npmBuildSteps(stages.build.filter((line) => line.startsWith('RUN')).join('\n'));

    // Assert
    expect(ciSteps).toEqual(['npm ci', 'npm run build']);
    expect(buildSteps).toEqual(ciSteps);
    expect(stages.build[0]).toMatch(/^FROM node:20-bookworm-slim AS build$/);
  });

  it('runs production dependencies and the bundles only, as the non-root node user', () => {
    // Arrange
    const runtime = stages.runtime.join('\n');

    // Assert
    expect(stages.runtime[0]).toMatch(/^FROM node:20-bookworm-slim AS runtime$/);
    expect(runtime).toMatch(/^RUN npm ci --omit=dev\b/m);
    expect(runtime).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^ARG SERVICE$/m);
    expect(runtime).toMatch(/^CMD .*node dist\/apps\/\$SERVICE\/main\.js/m);
  });

  it("probes /health/ready, falling back to each service's default port", () => {
    // Arrange
    const healthcheck = stages.runtime.find((line) => line.startsWith('HEALTHCHECK')) ?? '';

    // Act
    const ports = /\{ (order: \d+[^}]*) \}/.exec(healthcheck)?.[1] ?? '';

    // Assert
    expect(healthcheck).toContain('/health/ready');
    expect(Object.fromEntries(ports.split(', ').map((entry) => entry.split(': ')))).toEqual(
      Object.fromEntries(PLATFORM_SERVICE_NAMES.map((name) => [name, String(DEFAULT_PORTS[name])])),
    );
  });
});

describe('.dockerignore', () => {
  const patterns = read('.dockerignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

  it('keeps out dependencies, build output, run-time state and git', () => {
    ['node_modules', 'apps/order/node_modules', 'dist', '.local/test-results/jest.json', '.git'].forEach(
      (path) => expect([path, dockerIgnores(patterns, path)]).toEqual([path, true]),
    );
  });

  it('keeps everything `npm run build` reads (nest-cli.json, its projects, their tsconfig chain)', () => {
    // Arrange: what nest-cli.json names, every tsconfig and webpack file at the root, all of apps/ and libs/.
    const nest = JSON.parse(read('nest-cli.json')) as {
      compilerOptions: { tsConfigPath: string };
      projects: Record<
        string,
        { root: string; sourceRoot: string; compilerOptions: { tsConfigPath: string } }
      >;
    };
    const named = Object.values(nest.projects).flatMap((project) => [
      project.root,
      project.sourceRoot,
      project.compilerOptions.tsConfigPath,
    ]);
    const rootFiles = readdirSync(REPO_ROOT).filter((file) => /^(tsconfig.*\.json|webpack.*)$/.test(file));
    const sources = ['apps', 'libs'].flatMap((folder) =>
      readdirSync(join(REPO_ROOT, folder), { recursive: true, encoding: 'utf8' }).map(
        (file) => `${folder}/${file}`,
      ),
    );
    const needed = [
      ...new Set([
        ...['package.json', 'package-lock.json', 'nest-cli.json', nest.compilerOptions.tsConfigPath],
        ...rootFiles,
        ...named,
        ...sources,
      ]),
    ];

    // Act
    const excluded = needed.filter((path) => dockerIgnores(patterns, path));

    // Assert
    expect(needed.filter((path) => !existsSync(join(REPO_ROOT, path)))).toEqual([]);
    expect(rootFiles).toEqual(expect.arrayContaining(['tsconfig.json', 'tsconfig.build.json']));
    expect(excluded).toEqual([]);
  });

  it('reads patterns as Docker does (a check of the matcher the tests above rely on)', () => {
    expect(dockerIgnores(['**/node_modules'], 'libs/x/node_modules/y')).toBe(true);
    expect(dockerIgnores(['*.log'], 'apps/a.log')).toBe(false);
    expect(dockerIgnores(['apps', '!apps/order'], 'apps/order/src/main.ts')).toBe(false);
    expect(dockerIgnores(['tsconfig*.json'], 'tsconfig.build.json')).toBe(true);
  });
});
