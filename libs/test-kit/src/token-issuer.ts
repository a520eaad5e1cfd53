import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';

/**
 * The `iss` and `aud` of a minted token unless told otherwise: what the services trust by default
 * (`AUTH_JWT_ISSUER`, `AUTH_JWT_AUDIENCE`). The kit stands below @saga/platform and keeps its own copy;
 * `test-kit-defaults.spec.ts` in @saga/testing shows the two agree.
 */
export const DEV_TOKEN_ISSUER = 'saga-platform-dev';
export const DEV_TOKEN_AUDIENCE = 'saga-platform';

/** Who a token names: a customer (their id), or an admin. */
export type TokenSubject = { readonly customer: string } | { readonly admin: string };

/** What a minted token may say besides its subject, to test how the services refuse bad ones. */
export interface MintOptions {
  /** Lifetime in seconds (default 1 h); negative for an expired token. */
  readonly ttlSeconds?: number;
  readonly issuer?: string;
  readonly audience?: string;
  /** Replaces the roles the subject implies. */
  readonly roles?: readonly string[];
}

/**
 * A local token issuer for development and tests: an ES256 key pair, the public half for the services
 * (`AUTH_JWT_PUBLIC_KEY`), the private half to mint tokens. Production tokens come from a real
 * identity provider; nothing here is for production (docs/security.md).
 */
export class TokenIssuer {
  readonly publicKeyPem: string;

  private constructor(private readonly privateKey: KeyObject) {
    this.publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString().trim();
  }

  /** A new key pair, in memory only. */
  static generate(): TokenIssuer {
    return new TokenIssuer(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
  }

  /** The issuer of a PKCS#8 PEM private key (the demo's `.local/auth/dev-private.pem`). */
  static fromPrivateKeyPem(pem: string): TokenIssuer {
    return new TokenIssuer(createPrivateKey(pem));
  }

  /** The private key as PKCS#8 PEM, to keep it in a git-ignored file. */
  privateKeyPem(): string {
    return this.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  }

  /** The environment a service needs to accept this issuer's tokens. */
  serviceEnv(): Record<string, string> {
    return { AUTH_JWT_PUBLIC_KEY: this.publicKeyPem };
  }

  /** A signed token for `subject`: `sub` is the customer id (or the admin's), `roles` customer or admin. */
  async mint(subject: TokenSubject, options: MintOptions = {}): Promise<string> {
    const sub = 'customer' in subject ? subject.customer : subject.admin;
    const roles = options.roles ?? ['customer' in subject ? 'customer' : 'admin'];
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ roles: [...roles] })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
      .setSubject(sub)
      .setIssuer(options.issuer ?? DEV_TOKEN_ISSUER)
      .setAudience(options.audience ?? DEV_TOKEN_AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + (options.ttlSeconds ?? 3600))
      .sign(this.privateKey);
  }
}

let processIssuer: TokenIssuer | undefined;

/** The issuer every platform copy of this process trusts: one key pair a test process, never on disk. */
export function testTokenIssuer(): TokenIssuer {
  return (processIssuer ??= TokenIssuer.generate());
}

/** `Authorization` header value of a token of the process's test issuer. */
export async function testBearer(subject: TokenSubject = { admin: 'ops' }): Promise<string> {
  return `Bearer ${await testTokenIssuer().mint(subject)}`;
}
