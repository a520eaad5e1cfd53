import { generateKeyPairSync } from 'node:crypto';
import { loadServiceConfig } from '../config';
import { requireAuthKey } from './require-auth-key';

const publicPem = (type: 'ec' | 'rsa' | 'ed25519') =>
  (type === 'ec'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ed25519')
  ).publicKey
    .export({ type: 'spki', format: 'pem' })
    .toString();

describe('requireAuthKey', () => {
  it.each<['ec' | 'rsa' | 'ed25519', string]>([
    ['ec', 'ES256'],
    ['rsa', 'RS256'],
    ['rsa', 'ES256,PS256'],
    ['ed25519', 'EdDSA'],
  ])('boots with a %s key and %s', (type, algorithms) => {
    const config = loadServiceConfig('order', {
      AUTH_JWT_PUBLIC_KEY: publicPem(type),
      AUTH_JWT_ALGORITHMS: algorithms,
    });
    expect(() => requireAuthKey(config)).not.toThrow();
  });

  it('refuses a key that no accepted algorithm can use, naming both', () => {
    const config = loadServiceConfig('order', { AUTH_JWT_PUBLIC_KEY: publicPem('rsa') });
    expect(() => requireAuthKey(config)).toThrow(
      /AUTH_JWT_ALGORITHMS: none of ES256 verifies with AUTH_JWT_PUBLIC_KEY, a rsa key/,
    );
  });

  it('refuses no key at all, saying how to make one', () => {
    expect(() => requireAuthKey(loadServiceConfig('order', {}))).toThrow(
      /AUTH_JWT_PUBLIC_KEY: must be set.*npm run -s token/,
    );
  });
});
