import { createHash } from 'node:crypto';

/** What may stand as it is before the `@` of an address we make up. */
const SAFE_LOCAL_PART = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * The address a customer's e-mails go to: `<customerId>@<recipient domain>`, as events carry a
 * customer id and no address. The domain is always the configured one: a customer id that is not a
 * plain local part (a comma, a space, an `@`, quotes — the contract allows any 1 to 64 characters) is
 * replaced by `customer-<hash>`, so no id can add a recipient or reach another domain.
 */
export function recipientAddress(customerId: string, domain: string): string {
  const local = SAFE_LOCAL_PART.test(customerId)
    ? customerId
    : `customer-${createHash('sha256').update(customerId).digest('hex').slice(0, 16)}`;
  return `${local}@${domain}`;
}
