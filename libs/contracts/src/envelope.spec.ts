import { randomUUID } from 'node:crypto';
import { ProductUpdatedV1 } from './catalog/product-updated.v1';
import { ProductUpdatedV2 } from './catalog/product-updated.v2';
import {
  PoisonRecordError,
  createEvent,
  fromKafkaRecord,
  recordHeader,
  toKafkaRecord,
  type EventEnvelope,
} from './envelope';
import { OrderPlacedV1 } from './order/order-placed.v1';
import { PaymentAuthorizedV1 } from './payment/payment-authorized.v1';

const orderId = randomUUID();
const placed = () =>
  createEvent(
    OrderPlacedV1,
    {
      orderId,
      customerId: 'c-1',
      items: [{ sku: 'SKU-1', quantity: 2, unitPriceCents: 500 }],
      totalCents: 1000,
      currency: 'EUR',
    },
    { source: 'order', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
  );

function poisonReason(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof PoisonRecordError ? error.reason : `not poison: ${String(error)}`;
  }
  return undefined;
}

describe('createEvent', () => {
  it('routes by the definition and starts a correlation with its own id', () => {
    // Act
    const event = placed();

    // Assert
    expect(event).toMatchObject({
      type: 'order.placed.v1',
      topic: 'order.events',
      key: orderId,
      source: '/saga-platform/order',
    });
    expect(event.correlationId).toBe(event.id);
    expect(event.causationId).toBeUndefined();
  });

  it('carries correlation and trace from the event it reacts to, with that event as cause', () => {
    // Arrange
    const cause = placed();

    // Act
    const reaction = createEvent(
      PaymentAuthorizedV1,
      {
        orderId,
        customerId: 'c-1',
        amountCents: 1000,
        currency: 'EUR',
        items: [{ sku: 'SKU-1', quantity: 2 }],
      },
      { source: 'payment', causedBy: cause },
    );

    // Assert
    expect(reaction).toMatchObject({
      correlationId: cause.id,
      causationId: cause.id,
      traceparent: cause.traceparent,
    });
  });

  it('refuses data that does not match the schema (validation on produce)', () => {
    const make = () =>
      createEvent(
        OrderPlacedV1,
        { orderId, customerId: 'c-1', items: [], totalCents: -1, currency: 'euro' },
        { source: 'order' },
      );
    expect(make).toThrow(/items|totalCents|currency/);
  });
});

describe('Kafka record encoding (CloudEvents binary mode)', () => {
  it('puts attributes in ce_* headers and the data as JSON in the value, and reads them back', () => {
    // Arrange
    const event = placed();

    // Act
    const record = toKafkaRecord(event);
    const decoded = fromKafkaRecord(record.topic, {
      key: Buffer.from(record.key),
      value: Buffer.from(record.value),
      headers: Object.fromEntries(Object.entries(record.headers).map(([k, v]) => [k, Buffer.from(v)])),
    });

    // Assert
    expect(record.headers).toMatchObject({
      ce_specversion: '1.0',
      ce_id: event.id,
      ce_type: 'order.placed.v1',
      ce_source: '/saga-platform/order',
      ce_correlationid: event.id,
      traceparent: event.traceparent,
      'content-type': 'application/json',
    });
    expect(JSON.parse(record.value)).toEqual(event.data);
    expect(decoded).toEqual(event);
  });

  it.each([
    ['missing-header', (r: Record<string, string>) => delete r.ce_id],
    ['unsupported-specversion', (r: Record<string, string>) => (r.ce_specversion = '0.3')],
    ['unknown-type', (r: Record<string, string>) => (r.ce_type = 'order.teleported.v1')],
  ])('rejects a record as poison: %s', (reason, spoil) => {
    // Arrange
    const record = toKafkaRecord(placed());
    const headers = { ...record.headers };
    spoil(headers);

    // Act + Assert
    expect(poisonReason(() => fromKafkaRecord(record.topic, { ...record, headers }))).toBe(reason);
  });

  it('rejects bytes that are not JSON, and JSON that breaks the schema (validation on consume)', () => {
    const record = toKafkaRecord(placed());
    expect(
      poisonReason(() =>
        fromKafkaRecord(record.topic, { ...record, value: Buffer.from([0xff, 0x00, 0x13]) }),
      ),
    ).toBe('invalid-json');
    expect(
      poisonReason(() => fromKafkaRecord(record.topic, { ...record, value: '{"orderId":"nope"}' })),
    ).toBe('schema-invalid');
  });

  it('reads a header sent twice as its first value, as text, in the decoder and for routing alike', () => {
    // Arrange
    const record = toKafkaRecord(placed());
    const headers = { ...record.headers, ce_type: [Buffer.from(OrderPlacedV1.type), 'x'] };

    // Act
    const event = fromKafkaRecord(record.topic, { ...record, headers });

    // Assert
    expect(recordHeader({ headers }, 'ce_type')).toBe(OrderPlacedV1.type);
    expect(event.type).toBe(OrderPlacedV1.type);
    expect(recordHeader({ headers }, 'traceparent')).toBe(record.headers.traceparent);
    expect(recordHeader({ headers: {} }, 'ce_type')).toBeUndefined();
  });
});

describe('upcasting', () => {
  it('reads a v1 catalog record as v2, the way a replica rebuilt from offset 0 meets old records', () => {
    // Arrange
    const v1 = createEvent(
      ProductUpdatedV1,
      { sku: 'SKU-1', name: 'Kettle', priceCents: 2599, currency: 'EUR', available: 7 },
      { source: 'inventory' },
    );

    // Act
    const read: EventEnvelope = fromKafkaRecord(v1.topic, toKafkaRecord(v1));

    // Assert
    expect(read.type).toBe(ProductUpdatedV2.type);
    expect(read.data).toEqual({ ...v1.data, status: 'ACTIVE' });
    expect(read.id).toBe(v1.id);
  });

  it('leaves a v2 record as it is', () => {
    // Arrange
    const v2 = createEvent(
      ProductUpdatedV2,
      { sku: 'SKU-2', name: 'Mug', priceCents: 900, currency: 'EUR', available: 0, status: 'DISCONTINUED' },
      { source: 'inventory' },
    );

    // Act + Assert
    expect(fromKafkaRecord(v2.topic, toKafkaRecord(v2)).data).toEqual(v2.data);
  });
});
