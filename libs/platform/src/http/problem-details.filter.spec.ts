import {
  BadRequestException,
  ConflictException,
  NotFoundException,
  ServiceUnavailableException,
} from '@nestjs/common';
import type { ArgumentsHost } from '@nestjs/common';
import { lastValueFrom, type Observable } from 'rxjs';
import { NonRetriableError } from '@saga/messaging';
import { AtCapacityException } from './admission.interceptor';
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

describe('ProblemDetailsFilter over HTTP', () => {
  /** A host whose response records what the filter answers. */
  function httpHost() {
    const answer: { status?: number; type?: string; body?: string; headers: Record<string, string> } = {
      headers: {},
    };
    const response = {
      status: (status: number) => ((answer.status = status), response),
      type: (type: string) => ((answer.type = type), response),
      send: (body: string) => ((answer.body = body), response),
      setHeader: (name: string, value: string) => (answer.headers[name] = value),
    };
    const host = {
      getType: () => 'http',
      switchToHttp: () => ({
        getRequest: () => ({ method: 'POST', originalUrl: '/orders' }),
        getResponse: () => response,
      }),
    } as unknown as ArgumentsHost;
    return { host, answer };
  }

  it.each([
    ['a pool with no free connection', new Error('timeout exceeded when trying to connect')],
    ['a terminated connection', Object.assign(new Error('terminating connection'), { code: '57P01' })],
  ])('answers %s 503 with Retry-After, without the database message', (_what, error) => {
    // Arrange
    const { host, answer } = httpHost();

    // Act
    new ProblemDetailsFilter().catch(error, host);

    // Assert
    expect(answer.status).toBe(503);
    expect(answer.type).toBe('application/problem+json');
    expect(answer.headers).toEqual({ 'Retry-After': '1', 'Retry-After-Ms': '1000' });
    expect(JSON.parse(answer.body!)).toMatchObject({ status: 503, retryAfterMs: 1000, instance: '/orders' });
    expect(answer.body).not.toContain(error.message);
  });

  it.each([
    [
      "the admission gate's refusal, with its own wait",
      new AtCapacityException({ error: 'Service Unavailable', message: 'at capacity', retryAfterMs: 1250 }),
      { 'Retry-After': '2', 'Retry-After-Ms': '1250' },
    ],
    [
      'any other 503 (the issuer key set unreachable), with a second',
      new ServiceUnavailableException('the token issuer key set cannot be read'),
      { 'Retry-After': '1', 'Retry-After-Ms': '1000' },
    ],
  ])('gives %s Retry-After in seconds and milliseconds', (_what, error, headers) => {
    // Arrange
    const { host, answer } = httpHost();

    // Act
    new ProblemDetailsFilter().catch(error, host);

    // Assert
    expect(answer.status).toBe(503);
    expect(answer.headers).toEqual(headers);
    expect(JSON.parse(answer.body!)).toMatchObject({
      title: 'Service Unavailable',
      status: 503,
      retryAfterMs: Number(headers['Retry-After-Ms']),
    });
  });

  it('still answers an unexpected error as a 500 without Retry-After', () => {
    // Arrange
    const { host, answer } = httpHost();

    // Act
    new ProblemDetailsFilter().catch(new Error('a bug'), host);

    // Assert
    expect(answer.status).toBe(500);
    expect(answer.headers).toEqual({});
  });
});
