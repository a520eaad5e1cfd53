import { createPublicKey, type KeyObject } from 'node:crypto';
import { ServiceUnavailableException } from '@nestjs/common';
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { AuthSettings } from '../config';
import { ROLES, type Principal, type Role } from './principal';

/** Why a token was refused: the text the `401` answer gives (never the token itself). */
export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError';
}

/** How far a token's `exp`/`nbf` may be off this machine's clock. */
const CLOCK_TOLERANCE_SECONDS = 5;

/**
 * Verifies JWT bearer tokens with the issuer's public key (or its JWKS): an asymmetric signature of an
 * accepted algorithm, the configured `iss` and `aud`, a live `exp`, a `sub`. A service holds only a
 * public key, so no service can mint a token. A key set that cannot be fetched answers 503.
 */
export class TokenVerifier {
  private readonly key: KeyObject | JWTVerifyGetKey;

  constructor(private readonly settings: AuthSettings) {
    if (settings.publicKeyPem) this.key = createPublicKey(settings.publicKeyPem);
    else if (settings.jwksUrl) this.key = createRemoteJWKSet(new URL(settings.jwksUrl));
    else throw new Error('TokenVerifier needs AUTH_JWT_PUBLIC_KEY or AUTH_JWKS_URL');
  }

  /** The token's caller; throws {@link InvalidTokenError} saying why it is not valid. */
  async verify(token: string): Promise<Principal> {
    let payload: Record<string, unknown>;
    try {
      const verified = await jwtVerify(token, this.key as KeyObject, {
        algorithms: [...this.settings.algorithms],
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp', 'sub'],
      });
      payload = verified.payload;
    } catch (error) {
      // The issuer's key set out of reach is the platform's trouble, not the caller's token.
      if (this.settings.jwksUrl && keySetUnreadable(error)) {
        throw new ServiceUnavailableException("the token issuer's key set cannot be read");
      }
      throw new InvalidTokenError(describe(error));
    }
    const subject = payload.sub;
    if (typeof subject !== 'string' || subject.length === 0 || subject.length > 200) {
      throw new InvalidTokenError('the token has no usable sub');
    }
    const claimed = Array.isArray(payload.roles) ? payload.roles : [];
    const roles = ROLES.filter((role: Role) => claimed.includes(role));
    return { subject, roles };
  }
}

/** A failure to fetch or read the key set (a timeout, a bad answer, the network), not the token's fault. */
function keySetUnreadable(error: unknown): boolean {
  return (
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid ||
    !(error instanceof errors.JOSEError)
  );
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed)
    return `the token's ${error.claim} claim is not accepted`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token signature does not verify';
  if (error instanceof errors.JOSEAlgNotAllowed) return "the token's algorithm is not accepted";
  if (error instanceof errors.JWKSNoMatchingKey) return 'no key of the issuer matches the token';
  return 'the token is not a valid JWT';
}
