import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './local-paths';

const read = (file: string) => readFileSync(join(REPO_ROOT, file), 'utf8');

/** `NAME=value` lines of .env.example. */
function envExample(): Map<string, string> {
  return new Map(
    read('.env.example')
      .split('\n')
      .filter((line) => /^[A-Z][A-Z0-9_]*=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const),
  );
}

/** The variables of README's configuration table (`A` / `B` rows name several). */
function readmeVariables(): Set<string> {
  const section = /## Configuration\n([\s\S]*?)\n## /.exec(read('README.md'))?.[1] ?? '';
  const rows = section.split('\n').filter((line) => line.startsWith('| `'));
  return new Set(
    rows.flatMap((row) => [...row.split('|')[1].matchAll(/`([A-Z][A-Z0-9_<>]*)`/g)].map((m) => m[1])),
  );
}

/** Folders no commit holds: dependencies, builds, run-time state. */
const IGNORED = new Set(['node_modules', 'dist', 'coverage', '.local', '.git']);

/**
 * The files a commit could hold: git's tracked and untracked-but-not-ignored files, or, in a copy
 * without git (the template test's), every file outside {@link IGNORED}.
 */
function committableFiles(): string[] {
  try {
    return execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .split('\0')
      .filter(Boolean);
  } catch {
    const walk = (dir: string): string[] =>
      readdirSync(join(REPO_ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
        const path = dir ? `${dir}/${entry.name}` : entry.name;
        if (entry.isDirectory()) return IGNORED.has(entry.name) ? [] : walk(path);
        return entry.isFile() && entry.name !== '.env' ? [path] : [];
      });
    return walk('');
  }
}

/** A private key as PEM: the armour line, then base64, not a mention of the format in a doc or test. */
const PRIVATE_KEY = /-----BEGIN ([A-Z]+ )*PRIVATE KEY-----\r?\n[A-Za-z0-9+/=]{40,}/;

describe('secrets and their documentation (docs/security.md)', () => {
  it('commits no private key', () => {
    // Arrange
    const files = committableFiles().filter((file) => !/\.(png|jpg|ico|woff2?)$/.test(file));

    // Act
    const withKeys = files.filter((file) => {
      try {
        return PRIVATE_KEY.test(read(file));
      } catch {
        return false; // listed but gone from the working tree
      }
    });

    // Assert
    expect(files.length).toBeGreaterThan(100);
    expect(withKeys).toEqual([]);
  });

  it('finds a private key where there is one (the check works)', () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    expect(PRIVATE_KEY.test(pem)).toBe(true);
  });

  it('.env.example documents every configuration variable of README, and gives no secret a value', () => {
    // Arrange
    const example = envExample();
    const readme = [...readmeVariables()].map((name) => name.replace('<SERVICE>', 'ORDER'));

    // Assert
    expect(readme.length).toBeGreaterThan(30); // the table was found
    expect(readme.filter((name) => !example.has(name))).toEqual([]);
    const secrets = [...example].filter(([name]) => /PASSWORD|SECRET|TOKEN/.test(name));
    expect(secrets.length).toBeGreaterThan(0);
    expect(secrets.filter(([, value]) => value !== '')).toEqual([]);
    expect(example.get('AUTH_JWT_PUBLIC_KEY')).toBe('');
  });

  it('keeps .env out of git', () => {
    expect(read('.gitignore').split('\n')).toContain('.env');
  });
});
