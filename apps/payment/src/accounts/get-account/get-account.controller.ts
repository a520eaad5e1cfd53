import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { CurrentPrincipal, mayAccess, type Principal } from '@saga/platform';
import { GetAccountService, type AccountView } from './get-account.service';

/**
 * `GET /accounts/:customerId`: a customer's balance and currency, for that customer (any, for an admin).
 * Another customer's account answers `404`, like a missing one.
 */
@Controller('accounts')
export class GetAccountController {
  constructor(private readonly accounts: GetAccountService) {}

  @Get(':customerId')
  get(@Param('customerId') customerId: string, @CurrentPrincipal() caller: Principal): Promise<AccountView> {
    if (!mayAccess(caller, customerId)) throw new NotFoundException(`no account for customer ${customerId}`);
    return this.accounts.get(customerId);
  }
}
