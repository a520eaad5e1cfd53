import { fromKafkaRecord, PoisonRecordError } from '@saga/contracts';
import { POISON_KINDS, poisonRecords } from './chaos-records';

describe('poisonRecords', () => {
  const records = poisonRecords('spec');

  it('makes each kind of poison for each saga topic, with unique keys', () => {
    expect(records).toHaveLength(4 * 4);
    expect(new Set(records.map((record) => record.key)).size).toBe(records.length);
  });

  it.each(records.map((record) => [record.kind, record.topic, record] as const))(
    '%s on %s is refused by the decoder with the reason the check expects',
    (_kind, topic, record) => {
      let thrown: unknown;
      try {
        fromKafkaRecord(topic, { key: record.key, value: record.value, headers: record.headers });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(PoisonRecordError);
      expect((thrown as PoisonRecordError).reason).toBe(POISON_KINDS[record.kind]);
      expect(record.reason).toBe(POISON_KINDS[record.kind]);
    },
  );

  it('expects a dead letter from every consumer of the topic for untyped poison, from the handlers otherwise', () => {
    const on = (topic: string, kind: string) =>
      records.find((record) => record.topic === topic && record.kind === kind)!.deadLetteredBy;
    // order.events is read by payment, inventory and notification
    expect([...on('order.events', 'missing headers')].sort()).toEqual([
      'inventory',
      'notification',
      'payment',
    ]);
    expect([...on('order.events', 'unknown type')].sort()).toEqual(['inventory', 'notification', 'payment']);
    // its first handled type, OrderPlaced, only by payment
    expect(on('order.events', 'wrong schema')).toEqual(['payment']);
    expect(on('catalog.products', 'garbage bytes')).toEqual(['order']);
  });
});
