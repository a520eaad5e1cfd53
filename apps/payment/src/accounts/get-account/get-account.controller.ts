import { Controller, Get, Param } from '@nestjs/common';
import { GetAccountService, type AccountView } from './get-account.service';

/** `GET /accounts/:customerId`: a customer's balance and currency. */
@Controller('accounts')
export class GetAccountController {
  constructor(private readonly accounts: GetAccountService) {}

  @Get(':customerId')
  get(@Param('customerId') customerId: string): Promise<AccountView> {
    return this.accounts.get(customerId);
  }
}
