import { ServiceUnavailableException } from '@nestjs/common';
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { TokenIssuer } from '@saga/test-kit';
import type { AuthSettings } from '../config';
import { mayAccess } from './principal';
import { InvalidTokenError, TokenVerifier } from './token-verifier';

describe('TokenVerifier', () => {
  const issuer = TokenIssuer.generate();
  const settings: AuthSettings = {
    publicKeyPem: issuer.publicKeyPem,
    algorithms: ['ES256'],
    issuer: 'saga-platform-dev',
    audience: 'saga-platform',
  };
  const verifier = new TokenVerifier(settings);

  it('reads the customer from sub and keeps only the known roles', async () => {
    // Arrange
    const token = await issuer.mint({ customer: 'alice' }, { roles: ['customer', 'root'] });

    // Act
    const principal = await verifier.verify(token);

    // Assert
    expect(principal).toEqual({ subject: 'alice', roles: ['customer'] });
    expect([mayAccess(principal, 'alice'), mayAccess(principal, 'bob')]).toEqual([true, false]);
    expect(mayAccess({ subject: 'ops', roles: ['admin'] }, 'bob')).toBe(true);
  });

  it('refuses a token signed with a shared secret, even one naming an accepted issuer', async () => {
    // Arrange: HS256 keyed with the public key's text, the classic algorithm-confusion attack.
    const token = await new SignJWT({ roles: ['admin'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('mallory')
      .setIssuer(settings.issuer)
      .setAudience(settings.audience)
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(issuer.publicKeyPem));

    // Act / Assert
    await expect(verifier.verify(token)).rejects.toThrow(
      new InvalidTokenError("the token's algorithm is not accepted"),
    );
  });

  it('refuses a token without exp or sub', async () => {
    // Arrange
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const other = new TokenVerifier({
      ...settings,
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });
    const base = () =>
      new SignJWT({ roles: ['customer'] })
        .setProtectedHeader({ alg: 'ES256' })
        .setIssuer(settings.issuer)
        .setAudience(settings.audience);

    // Act / Assert
    await expect(other.verify(await base().setSubject('alice').sign(privateKey))).rejects.toThrow(
      /exp claim is not accepted/,
    );
    await expect(other.verify(await base().setExpirationTime('1h').sign(privateKey))).rejects.toThrow(
      /sub claim is not accepted/,
    );
  });

  it('needs a key or a key set', () => {
    expect(() => new TokenVerifier({ ...settings, publicKeyPem: undefined })).toThrow(
      /AUTH_JWT_PUBLIC_KEY or AUTH_JWKS_URL/,
    );
  });
});

describe('TokenVerifier with a key set (AUTH_JWKS_URL)', () => {
  it("answers 503, not 401, when the issuer's key set cannot be fetched", async () => {
    // Arrange: nothing listens on port 9 of this machine.
    const verifier = new TokenVerifier({
      jwksUrl: 'http://127.0.0.1:9/.well-known/jwks.json',
      algorithms: ['ES256'],
      issuer: 'saga-platform-dev',
      audience: 'saga-platform',
    });
    const token = await TokenIssuer.generate().mint({ customer: 'alice' });

    // Act / Assert
    await expect(verifier.verify(token)).rejects.toThrow(ServiceUnavailableException);
  });
});
