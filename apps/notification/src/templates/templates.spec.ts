import { randomUUID } from 'node:crypto';
import { orderCancelledTemplate } from './order-cancelled.template';
import { orderConfirmedTemplate } from './order-confirmed.template';

describe('mail templates', () => {
  const orderId = randomUUID();

  it('confirmed: names the order and the total with its currency', () => {
    // Act
    const mail = orderConfirmedTemplate({ orderId, customerId: 'alice', totalCents: 11800, currency: 'EUR' });

    // Assert
    expect(mail.subject).toBe(`Your order ${orderId} is confirmed`);
    expect(mail.text).toContain('Hello alice');
    expect(mail.text).toContain('EUR 118.00');
  });

  it('cancelled: names the order and states the reason', () => {
    // Act
    const mail = orderCancelledTemplate({
      orderId,
      customerId: 'bob',
      reason: 'payment declined: INSUFFICIENT_FUNDS',
    });

    // Assert
    expect(mail.subject).toBe(`Your order ${orderId} is cancelled`);
    expect(mail.text).toContain('Reason: payment declined: INSUFFICIENT_FUNDS');
  });
});
