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
  // The four as docs/design.md has them, whatever services this repository has added since (the events are
  // the real registry's, so the names below are ones the guide's example does not add).
  ports: { order: 3001, payment: 3002, inventory: 3003, notification: 3004 },
};

const plan = (args: Partial<GeneratorArgs>) =>
  planServiceSpec({ name: 'courier', consumes: ['OrderConfirmed'], produces: [], ...args }, repo);

describe('parseGeneratorArgs', () => {
  it('reads a name, the events consumed and produced (space- or comma-separated) and a port', () => {
    // Act
    const args = parseGeneratorArgs([
      'courier',
      '--consumes',
      'OrderConfirmed',
      'OrderCancelled',
      '--produces',
      'ParcelPicked,ParcelLost',
      '--port',
      '3010',
    ]);

    // Assert
    expect(args).toEqual({
      name: 'courier',
      consumes: ['OrderConfirmed', 'OrderCancelled'],
      produces: ['ParcelPicked', 'ParcelLost'],
      port: 3010,
    });
  });

  it.each([
    [[], /name the service/],
    [['a', 'b'], /one service at a time: got a and b/],
    [['courier', '--consume', 'OrderConfirmed'], /unknown option --consume/],
    [['courier', '--port', 'high'], /--port high: must be a number/],
  ])('refuses %j with the usage', (argv, message) => {
    expect(() => parseGeneratorArgs(argv)).toThrow(message);
    expect(() => parseGeneratorArgs(argv)).toThrow(/usage: npm run generate:service/);
  });
});

describe('planServiceSpec', () => {
  it('names the new events after the service and takes the next free port', () => {
    // Act
    const spec = plan({ produces: ['ParcelPicked', 'CourierLabelPrinted'] });

    // Assert
    expect(spec).toMatchObject({
      name: 'courier',
      pascal: 'Courier',
      port: 3005,
      topicKey: 'courierEvents',
    });
    expect(spec.produces.map(({ type, constName, builder }) => ({ type, constName, builder }))).toEqual([
      {
        type: 'courier.parcel-picked.v1',
        constName: 'ParcelPickedV1',
        builder: 'parcelPickedFor',
      },
      {
        type: 'courier.label-printed.v1',
        constName: 'CourierLabelPrintedV1',
        builder: 'courierLabelPrintedFor',
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
    [{ name: 'Courier' }, /service name "Courier": use 2 to 30 lowercase letters and digits/],
    [{ name: 'cour-ier' }, /service name "cour-ier"/],
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
    [{ produces: ['parcel_picked'] }, /--produces "parcel_picked": name it in PascalCase/],
    [{ produces: ['ParcelPicked', 'ParcelPicked'] }, /--produces ParcelPicked: named twice/],
    [{ port: 3002 }, /--port 3002: payment listens there; courier needs a port of its own/],
    [{ port: 80 }, /--port 80: choose a port between 1024 and 65535/],
    [{ port: 9092 }, /--port 9092: Kafka listens there/],
    [
      { produces: ['CourierLabelPrinted', 'LabelPrinted'] },
      /--produces LabelPrinted: the type courier\.label-printed\.v1 exists already/,
    ],
  ])('refuses %j with a clear message', (args, message) => {
    expect(() => plan(args)).toThrow(GeneratorError);
    expect(() => plan(args)).toThrow(message);
  });
});
