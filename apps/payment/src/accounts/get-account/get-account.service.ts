import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { Cents, Currency, CustomerId } from '@saga/contracts';
import { findAccount } from '../account.repository';

/** What `GET /accounts/:customerId` answers (docs/design.md). */
export const AccountViewSchema = z
  .object({
    customerId: CustomerId,
    balanceCents: Cents.describe('The balance now, in cents.'),
    currency: Currency.describe('ISO 4217 code of the account.'),
  })
  .meta({ id: 'Account' });
export type AccountView = z.infer<typeof AccountViewSchema>;

/** Reads a customer's balance; a read needs no transaction. */
@Injectable()
export class GetAccountService {
  constructor(private readonly dataSource: DataSource) {}

  async get(customerId: string): Promise<AccountView> {
    // PostgreSQL text cannot hold NUL: no customer has one, and the query would fail (a 500).
    const parsed = CustomerId.safeParse(customerId);
    if (!parsed.success || customerId.includes('\u0000')) {
      throw new BadRequestException(
        `customerId must be 1 to 64 characters without NUL, got ${customerId.length} characters`,
      );
    }
    const account = await findAccount(this.dataSource.manager, parsed.data);
    if (!account) {
      throw new NotFoundException(`no account for customer ${customerId}`);
    }
    return { customerId: account.customerId, balanceCents: account.balanceCents, currency: account.currency };
  }
}
