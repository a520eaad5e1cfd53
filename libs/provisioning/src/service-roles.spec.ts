import { createHash, createHmac } from 'node:crypto';
import { databasePasswordVariable, scramVerifier, serviceDatabaseUrl } from './service-roles';

describe('serviceDatabaseUrl', () => {
  it("connects a service to its own database as its own role, without the superuser's password", () => {
    expect(
      serviceDatabaseUrl('postgres://postgres:sup3r@127.0.0.1:5432/postgres', 'order', undefined, {}),
    ).toBe('postgres://order_service@127.0.0.1:5432/order_service');
  });

  it('names another database, and takes the password from <SERVICE>_DB_PASSWORD', () => {
    // Arrange
    const env = { [databasePasswordVariable('inventory')]: 's3cret' };

    // Act
    const url = serviceDatabaseUrl(
      'postgres://postgres@127.0.0.1:5432/postgres',
      'inventory',
      'saga_test_x',
      env,
    );

    // Assert
    expect(databasePasswordVariable('inventory')).toBe('INVENTORY_DB_PASSWORD');
    expect(url).toBe('postgres://inventory_service:s3cret@127.0.0.1:5432/saga_test_x');
  });
});

describe('scramVerifier', () => {
  it("answers RFC 7677's example exchange: the server's signature and the client's proof check out", () => {
    // Arrange: user "user", password "pencil", the RFC's salt and nonces.
    const verifier = scramVerifier('pencil', Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'));
    const nonce = 'rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
    const authMessage = `n=user,r=rOprNGfwEbeRWgbNEkqO,r=${nonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=${nonce}`;
    const [, storedKey, serverKey] = /^SCRAM-SHA-256\$4096:[^$]+\$([^:]+):(.+)$/
      .exec(verifier)!
      .map((part) => Buffer.from(part, 'base64'));

    // Act
    const serverSignature = createHmac('sha256', serverKey).update(authMessage).digest('base64');
    const clientSignature = createHmac('sha256', storedKey).update(authMessage).digest();
    const proof = Buffer.from('dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=', 'base64');
    const clientKey = Buffer.from(proof.map((byte, i) => byte ^ clientSignature[i]));

    // Assert
    expect(serverSignature).toBe('6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
    expect(createHash('sha256').update(clientKey).digest().equals(storedKey)).toBe(true);
    expect(verifier).not.toContain('pencil');
  });
});
