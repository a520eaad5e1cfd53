/** The roles a bearer token may grant (its `roles` claim). */
export const ROLES = ['customer', 'admin'] as const;

/** `customer`: their own orders and account. `admin`: everyone's, plus operations (dead letters, the dashboard). */
export type Role = (typeof ROLES)[number];

/** Who a verified token says is calling: `sub` is the customer id. */
export interface Principal {
  /** The token's `sub`: the customer id for a customer; the operator's id for an admin. */
  readonly subject: string;
  /** The known roles of its `roles` claim (unknown ones are dropped). */
  readonly roles: readonly Role[];
}

/** Whether `principal` may act on a resource of `customerId`: it is theirs, or they are an admin. */
export function mayAccess(principal: Principal, customerId: string): boolean {
  return principal.roles.includes('admin') || principal.subject === customerId;
}
