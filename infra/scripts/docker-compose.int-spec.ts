import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PLATFORM_SERVICE_NAMES } from '@saga/contracts';
import { REPO_ROOT } from './local-paths';

/**
 * There is no Docker engine on the machines that run the tests, so docker-compose.yml is checked with
 * Debian's `docker-compose` (1.29): `config` validates the file against the Compose schema, resolves
 * anchors and interpolation and needs no engine. A missing binary fails the test instead of skipping it,
 * so CI can never pass without the check having run.
 */
const INSTALL_HINT =
  "docker-compose is not installed: install Debian's package (`apt-get install -y --no-install-recommends " +
  'docker-compose`; .ci/run does this when it runs as root) to validate docker-compose.yml';

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `docker-compose <args>` in `cwd`, with no COMPOSE_* variable of the caller's leaking in, and the
 * issuer's key that a user's `.env` holds (`AUTH_JWT_PUBLIC_KEY`) unless `env` says otherwise.
 */
function dockerCompose(
  args: string[],
  cwd = REPO_ROOT,
  extra: Record<string, string | undefined> = {},
): Result {
  const env = Object.fromEntries(
    Object.entries({ ...process.env, AUTH_JWT_PUBLIC_KEY: 'a-public-key', ...extra }).filter(
      ([name, value]) => !name.startsWith('COMPOSE_') && value !== undefined,
    ),
  );
  const result = spawnSync('docker-compose', args, { cwd, env, encoding: 'utf8', timeout: 60_000 });
  const error: NodeJS.ErrnoException | undefined = result.error;
  if (error?.code === 'ENOENT') throw new Error(INSTALL_HINT);
  if (error) throw error;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('docker-compose.yml, validated by docker-compose config', () => {
  it('is a valid Compose file', () => {
    // Act
    const result = dockerCompose(['-f', 'docker-compose.yml', 'config', '-q']);

    // Assert
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
  });

  it("refuses to run the services without the token issuer's public key, saying how to make one", () => {
    // Act
    const result = dockerCompose(['-f', 'docker-compose.yml', 'config', '-q'], REPO_ROOT, {
      AUTH_JWT_PUBLIC_KEY: undefined,
    });

    // Assert
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/AUTH_JWT_PUBLIC_KEY.*npm run -s token -- --public-key/);
  });

  it('defines the infrastructure, every service of the registry, Mailpit, the Kafka UI and the observability stack', () => {
    // Act
    const result = dockerCompose(['-f', 'docker-compose.yml', 'config', '--services']);

    // Assert
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n').sort()).toEqual(
      [
        ...PLATFORM_SERVICE_NAMES,
        'grafana',
        'jaeger',
        'kafka',
        'kafka-topics',
        'kafka-ui',
        'mailpit',
        'postgres',
        'prometheus',
      ].sort(),
    );
  });

  it('rejects a file that breaks the schema, so a pass above means something', () => {
    // Arrange
    const dir = mkdtempSync(join(tmpdir(), 'compose-check-'));
    writeFileSync(join(dir, 'docker-compose.yml'), 'services:\n  app:\n    image: x:1\n    no_such_key: 1\n');

    try {
      // Act
      const result = dockerCompose(['-f', 'docker-compose.yml', 'config', '-q'], dir);

      // Assert
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('no_such_key');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
