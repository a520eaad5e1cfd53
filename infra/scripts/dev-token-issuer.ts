import { randomUUID } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { TokenIssuer } from '@saga/test-kit/token-issuer';
import { localDir } from './local-paths';

/** Where the local dev key lives: git-ignored, readable by its owner only. */
export function devKeyFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(localDir(env), 'auth', 'dev-private.pem');
}

/**
 * The local development token issuer of `npm run demo` and `npm run token`: an ES256 key made on first
 * use under `.local/auth/` (never committed). The demo's services trust its public key; nothing else
 * should (docs/security.md).
 */
export function devTokenIssuer(env: NodeJS.ProcessEnv = process.env): TokenIssuer {
  const file = devKeyFile(env);
  if (!existsSync(file)) {
    // Written aside, then linked into place: two processes starting at once agree on one key.
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const draft = `${file}.${process.pid}.${randomUUID()}`;
    writeFileSync(draft, TokenIssuer.generate().privateKeyPem(), { mode: 0o600 });
    try {
      linkSync(draft, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(draft);
    }
  }
  // A key readable by others (copied in, or made by an older version) is made private again.
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  return TokenIssuer.fromPrivateKeyPem(readFileSync(file, 'utf8'));
}
