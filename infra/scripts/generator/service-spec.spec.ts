import * as contracts from '@saga/contracts';
import {
  GeneratorError,
  parseGeneratorArgs,
  planServiceSpec,
  type GeneratorArgs,
  type RepositoryView,
} from './service-spec';

const repo: RepositoryView = {
  contractExports: contracts,
  exists: (path) => ['apps/order', 'apps/payment', 'libs/common'].includes(path),
  projects: ['order', 'payment', 'inventory', 'notification', 'contracts', 'common'],
  // The four as DESIGN.md has them, whatever services this repository has added since.
  ports: { order: 3001, payment: 3002, inventory: 3003, notification: 3004 },
};

const plan = (args: Partial<GeneratorArgs>) =>
  planServiceSpec({ name: 'shipping', consumes: ['OrderConfirmed'], produces: [], ...args }, repo);

describe('parseGeneratorArgs', () => {
  it('reads a name, the events consumed and produced (space- or comma-separated) and a port', () => {
    // Act
    const args = parseGeneratorArgs([
      'shipping',
      '--consumes',
      'OrderConfirmed',
      'OrderCancelled',
      '--produces',
      'ShipmentScheduled,ShipmentCancelled',
      '--port',
      '3010',
    ]);

    // Assert
    expect(args).toEqual({
      name: 'shipping',
      consumes: ['OrderConfirmed', 'OrderCancelled'],
      produces: ['ShipmentScheduled', 'ShipmentCancelled'],
      port: 3010,
    });
  });

  it.each([
    [[], /name the service/],
    [['a', 'b'], /one service at a time: got a and b/],
    [['shipping', '--consume', 'OrderConfirmed'], /unknown option --consume/],
    [['shipping', '--port', 'high'], /--port high: must be a number/],
  ])('refuses %j with the usage', (argv, message) => {
    expect(() => parseGeneratorArgs(argv)).toThrow(message);
    expect(() => parseGeneratorArgs(argv)).toThrow(/usage: npm run generate:service/);
  });
});

describe('planServiceSpec', () => {
  it('names the new events after the service and takes the next free port', () => {
    // Act
    const spec = plan({ produces: ['ShipmentScheduled', 'ShippingLabelPrinted'] });

    // Assert
    expect(spec).toMatchObject({
      name: 'shipping',
      pascal: 'Shipping',
      port: 3005,
      topicKey: 'shippingEvents',
    });
    expect(spec.produces.map(({ type, constName, builder }) => ({ type, constName, builder }))).toEqual([
      {
        type: 'shipping.shipment-scheduled.v1',
        constName: 'ShipmentScheduledV1',
        builder: 'shipmentScheduledFor',
      },
      {
        type: 'shipping.label-printed.v1',
        constName: 'ShippingLabelPrintedV1',
        builder: 'shippingLabelPrintedFor',
      },
    ]);
    expect(spec.consumes.map(({ definition, constName }) => [definition.type, constName])).toEqual([
      ['order.confirmed.v1', 'OrderConfirmedV1'],
    ]);
  });

  it('gives a service that publishes nothing no topic of its own', () => {
    expect(plan({}).topicKey).toBeUndefined();
  });

  it.each([
    [{ name: 'payment' }, /payment exists already \(the service registry, nest-cli\.json, apps\/payment\)/],
    [{ name: 'common' }, /common exists already \(nest-cli\.json, libs\/common\)/],
    [{ name: 'kafka' }, /kafka is reserved \(the infrastructure or the demo use it\)/],
    [{ name: 'Shipping' }, /service name "Shipping": use 2 to 30 lowercase letters and digits/],
    [{ name: 'ship-ping' }, /service name "ship-ping"/],
    [{ consumes: [] }, /--consumes: name at least one event; known: OrderPlaced, (?!.*ProductUpdated)/],
    [
      { consumes: ['OrderShipped'] },
      /--consumes: unknown event OrderShipped; known events: OrderPlaced, .*OrderConfirmed/,
    ],
    [{ consumes: ['ProductUpdated'] }, /--consumes ProductUpdated: it is keyed by sku on catalog\.products/],
    [
      { produces: ['OrderConfirmed'] },
      /--produces OrderConfirmed: the event exists already \(order\.confirmed\.v1, published by order\)/,
    ],
    [{ produces: ['shipment_scheduled'] }, /--produces "shipment_scheduled": name it in PascalCase/],
    [{ produces: ['ShipmentScheduled', 'ShipmentScheduled'] }, /--produces ShipmentScheduled: named twice/],
    [{ port: 3002 }, /--port 3002: payment listens there; shipping needs a port of its own/],
    [{ port: 80 }, /--port 80: choose a port between 1024 and 65535/],
    [{ port: 9092 }, /--port 9092: Kafka listens there/],
    [
      { produces: ['ShippingLabelPrinted', 'LabelPrinted'] },
      /--produces LabelPrinted: the type shipping\.label-printed\.v1 exists already/,
    ],
  ])('refuses %j with a clear message', (args, message) => {
    expect(() => plan(args)).toThrow(GeneratorError);
    expect(() => plan(args)).toThrow(message);
  });
});
