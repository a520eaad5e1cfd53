import { BadRequestException, ConflictException, NotFoundException } from '@nestjs/common';
import type { ArgumentsHost } from '@nestjs/common';
import { lastValueFrom, type Observable } from 'rxjs';
import { NonRetriableError } from '@saga/messaging';
import { ProblemDetailsFilter, toProblem } from './problem-details.filter';

describe('toProblem', () => {
  it('maps a Nest HTTP exception to a problem with its status, title and detail', () => {
    expect(toProblem(new NotFoundException('order 42 does not exist'), '/orders/42')).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'order 42 does not exist',
      instance: '/orders/42',
    });
  });

  it('joins a list of validation messages into one detail', () => {
    expect(toProblem(new BadRequestException(['quantity must be positive', 'sku is required'])).detail).toBe(
      'quantity must be positive; sku is required',
    );
  });

  it('keeps extension members and a problem type given by the thrower', () => {
    // Arrange
    const error = new ConflictException({
      type: 'https://saga-platform.dev/problems/idempotency-key-reused',
      message: 'Idempotency-Key was used with another body',
      orderId: 'o-1',
    });

    // Act
    const problem = toProblem(error);

    // Assert
    expect(problem).toMatchObject({
      type: 'https://saga-platform.dev/problems/idempotency-key-reused',
      status: 409,
      orderId: 'o-1',
    });
  });

  it('hides the message and stack of an unexpected error behind a plain 500', () => {
    // Act
    const problem = toProblem(new Error('relation "orders" does not exist at SELECT * FROM orders'));

    // Assert
    expect(problem).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      instance: undefined,
    });
    expect(JSON.stringify(problem)).not.toContain('orders');
  });
});

describe('ProblemDetailsFilter outside HTTP', () => {
  it('hands a Kafka handler error to the transport unchanged', async () => {
    // Arrange
    const error = new NonRetriableError('contradicts the account');
    const host = { getType: () => 'rpc' } as unknown as ArgumentsHost;

    // Act
    const result = new ProblemDetailsFilter().catch(error, host);

    // Assert
    await expect(lastValueFrom(result as Observable<never>)).rejects.toBe(error);
  });
});
