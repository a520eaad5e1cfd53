import { recipientAddress } from './recipient-address';

describe('recipientAddress', () => {
  it('uses a plain customer id as the local part', () => {
    expect(recipientAddress('alice.b-2', 'customers.example')).toBe('alice.b-2@customers.example');
  });

  it.each(['attacker@evil.example,x', 'bob smith', '"quoted"@x', 'a<b>'])(
    'never lets %j choose the recipient',
    (customerId) => {
      // Act
      const address = recipientAddress(customerId, 'customers.example');

      // Assert
      expect(address).toMatch(/^customer-[0-9a-f]{16}@customers\.example$/);
      expect(recipientAddress(customerId, 'customers.example')).toBe(address);
    },
  );
});
