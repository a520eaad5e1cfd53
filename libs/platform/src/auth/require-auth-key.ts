import { createPublicKey } from 'node:crypto';
import { ConfigError, type ServiceConfig } from '../config';

/** The key type each family of JWS algorithms needs. */
const KEY_TYPES: Readonly<Record<string, readonly string[]>> = {
  ES: ['ec'],
  RS: ['rsa'],
  PS: ['rsa', 'rsa-pss'],
  Ed: ['ed25519', 'ed448'],
};

/**
 * Fails a service's boot when it cannot verify tokens: no key at all (every business endpoint needs
 * one), or a public key that none of `AUTH_JWT_ALGORITHMS` can use (an RSA key with `ES256` would
 * refuse every token as "not valid").
 */
export function requireAuthKey(config: ServiceConfig): void {
  const { publicKeyPem, jwksUrl, algorithms } = config.auth;
  if (jwksUrl) return;
  if (!publicKeyPem) {
    throw new ConfigError([
      "AUTH_JWT_PUBLIC_KEY: must be set to the token issuer's PEM public key, or AUTH_JWKS_URL to its key set (got unset); `npm run -s token -- --public-key` prints a local dev key's",
    ]);
  }
  const type = createPublicKey(publicKeyPem).asymmetricKeyType ?? 'unknown';
  if (!algorithms.some((algorithm) => KEY_TYPES[algorithm.slice(0, 2)]?.includes(type))) {
    throw new ConfigError([
      `AUTH_JWT_ALGORITHMS: none of ${algorithms.join(', ')} verifies with AUTH_JWT_PUBLIC_KEY, a ${type} key`,
    ]);
  }
}
