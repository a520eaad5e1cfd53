import request from 'supertest';
import { testBearer } from '@saga/test-kit';
import { testAuthProviders } from '@saga/testing';
import { useHttpQueryApp } from '../../../../../test/fixtures/integration';
import { PaymentInitialSchema1795300000000 } from '../../migrations/1795300000000-payment-initial-schema';
import { GetAccountController } from './get-account.controller';
import { GetAccountService } from './get-account.service';

describe('GET /accounts/:customerId (real PostgreSQL)', () => {
  const api = useHttpQueryApp('payment_get_account', [PaymentInitialSchema1795300000000], {
    controllers: [GetAccountController],
    providers: [GetAccountService, ...testAuthProviders()],
  });

  beforeAll(async () => {
    await api.dataSource.query(
      `INSERT INTO accounts (customer_id, currency, opening_balance_cents, balance_cents)
       VALUES ('bob', 'EUR', 5000, 4200)`,
    );
  });

  const server = () => api.server();

  it('answers the balance and currency', async () => {
    // Act
    const response = await request(server())
      .get('/accounts/bob')
      .set('authorization', await testBearer());

    // Assert
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ customerId: 'bob', balanceCents: 4200, currency: 'EUR' });
  });

  it('answers its own account to a customer, and 404 for another customer, as for an unknown one', async () => {
    // Act
    const own = await request(server())
      .get('/accounts/bob')
      .set('authorization', await testBearer({ customer: 'bob' }));
    const other = await request(server())
      .get('/accounts/bob')
      .set('authorization', await testBearer({ customer: 'alice' }));
    const anonymous = await request(server()).get('/accounts/bob');

    // Assert
    expect(own.status).toBe(200);
    expect(other.status).toBe(404);
    expect(JSON.parse(other.text)).toMatchObject({ status: 404, detail: 'no account for customer bob' });
    expect(anonymous.status).toBe(401);
  });

  it('answers 404 problem+json for an unknown customer', async () => {
    // Act
    const response = await request(server())
      .get('/accounts/nobody')
      .set('authorization', await testBearer());

    // Assert
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(response.text)).toMatchObject({
      status: 404,
      detail: 'no account for customer nobody',
    });
  });

  it('answers 400 problem+json for an id that is not a customer id', async () => {
    // Act
    const response = await request(server())
      .get(`/accounts/${'x'.repeat(65)}`)
      .set('authorization', await testBearer());

    // Assert
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(response.text)).toMatchObject({ status: 400, title: 'Bad Request' });
  });

  it('answers 400 problem+json for an id with a NUL character, which no text column can hold', async () => {
    // Act
    const response = await request(server())
      .get('/accounts/bo%00b')
      .set('authorization', await testBearer());

    // Assert
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(response.text)).toMatchObject({ status: 400, detail: expect.stringContaining('NUL') });
  });
});
