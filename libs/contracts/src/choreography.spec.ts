import {
  CHOREOGRAPHY,
  consumersOf,
  eventsConsumedBy,
  topicsConsumedBy,
  typesConsumedBy,
} from './choreography';
import { eventDefinition, readAsType } from './registry';
import { PLATFORM_SERVICE_NAMES } from './services';

describe('choreography', () => {
  it('has an entry for every service of the platform and for nothing else', () => {
    // Act
    const services = Object.keys(CHOREOGRAPHY);

    // Assert
    expect(services.sort()).toEqual([...PLATFORM_SERVICE_NAMES].sort());
  });

  it('lists only registered events, each once per service, in the version records are read as', () => {
    for (const service of PLATFORM_SERVICE_NAMES) {
      // Act
      const types = typesConsumedBy(service);

      // Assert
      expect(new Set(types).size).toBe(types.length);
      for (const type of types) {
        expect(eventDefinition(type)).toBe(eventsConsumedBy(service).find((event) => event.type === type));
        expect(readAsType(type)).toBe(type);
      }
    }
  });

  it('derives the topics a consumer subscribes to from its events, each once, with the prefix', () => {
    // Act
    const order = topicsConsumedBy('order');
    const payment = topicsConsumedBy('payment', 'copy-1.');

    // Assert
    expect(order).toEqual(['payment.events', 'inventory.events', 'catalog.products']);
    expect(payment).toEqual(['copy-1.order.events', 'copy-1.inventory.events']);
  });

  it('names the consumers of an event type', () => {
    // Act
    const refundAskers = consumersOf('inventory.stock-reservation-failed.v1');
    const nobody = consumersOf('no.such-event.v1');

    // Assert
    expect(refundAskers).toEqual(['order', 'payment']);
    expect(nobody).toEqual([]);
  });
});
