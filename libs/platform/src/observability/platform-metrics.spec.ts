import { parseMetrics } from '@saga/test-kit';
import { PlatformMetrics } from './platform-metrics';

describe('PlatformMetrics', () => {
  it("turns the relay's and the consumer's reports into counters and histograms labelled with the service", async () => {
    // Arrange
    const metrics = new PlatformMetrics('payment');
    const relay = metrics.relayObserver();
    const consumer = metrics.consumerObserver();

    // Act
    relay.published('payment.events', 0.004);
    relay.published('payment.events', 0.006);
    consumer.handled('order.placed.v1', 0.002, 'applied');
    consumer.handled('order.placed.v1', 0.003, 'failed');
    consumer.retried('order.placed.v1');
    consumer.duplicate('order.placed.v1');
    consumer.deadLettered('order.events', 'schema-invalid');
    const scrape = parseMetrics(await metrics.registry.metrics());

    // Assert
    const type = { event_type: 'order.placed.v1' };
    expect({
      published: scrape.sum('saga_outbox_published_total', { topic: 'payment.events' }),
      latencies: scrape.sum('saga_outbox_publish_latency_seconds_count', { topic: 'payment.events' }),
      latencySum: scrape.sum('saga_outbox_publish_latency_seconds_sum', { topic: 'payment.events' }),
      applied: scrape.sum('saga_events_applied_total', type),
      failedTimed: scrape.sum('saga_handler_duration_seconds_count', { ...type, outcome: 'failed' }),
      appliedTimed: scrape.sum('saga_handler_duration_seconds_count', { ...type, outcome: 'applied' }),
      retries: scrape.sum('saga_handler_retries_total', type),
      duplicates: scrape.sum('saga_inbox_duplicates_total', type),
      deadLetters: scrape.sum('saga_dead_letters_total', { topic: 'order.events', reason: 'schema-invalid' }),
      otherServices: scrape.samples.filter((sample) => sample.labels.service !== 'payment'),
    }).toEqual({
      published: 2,
      latencies: 2,
      latencySum: 0.01,
      applied: 1,
      failedTimed: 1,
      appliedTimed: 1,
      retries: 1,
      duplicates: 1,
      deadLetters: 1,
      otherServices: [],
    });
  });

  it('reads the backlog (once for both gauges) and the lag per partition when scraped', async () => {
    // Arrange
    const metrics = new PlatformMetrics('order');
    let backlogReads = 0;
    metrics.watchOutbox(() => {
      backlogReads += 1;
      return Promise.resolve({ size: 7, oldestAgeMs: 1500 });
    });
    metrics.watchConsumer(() =>
      Promise.resolve([
        { topic: 'payment.events', partition: 0, lag: 3 },
        { topic: 'payment.events', partition: 1, lag: 0 },
      ]),
    );

    // Act
    const scrape = parseMetrics(await metrics.registry.metrics());

    // Assert
    expect({
      backlog: scrape.sum('saga_outbox_backlog'),
      oldest: scrape.sum('saga_outbox_oldest_age_seconds'),
      lag0: scrape.sum('saga_consumer_lag', { topic: 'payment.events', partition: '0' }),
      lag1: scrape.matching('saga_consumer_lag', { topic: 'payment.events', partition: '1' }).length,
      backlogReads,
    }).toEqual({ backlog: 7, oldest: 1.5, lag0: 3, lag1: 1, backlogReads: 1 });
  });

  it('reads an unreadable backlog as NaN and leaves unreadable lag out, instead of reporting a false 0', async () => {
    // Arrange
    const metrics = new PlatformMetrics('order');
    metrics.watchOutbox(() => Promise.reject(new Error('database down')));
    metrics.watchConsumer(() => Promise.reject(new Error('broker down')));

    // Act
    const scrape = parseMetrics(await metrics.registry.metrics());

    // Assert
    expect(scrape.matching('saga_outbox_backlog').map((sample) => sample.value)).toEqual([Number.NaN]);
    expect(scrape.matching('saga_outbox_oldest_age_seconds').map((sample) => sample.value)).toEqual([
      Number.NaN,
    ]);
    expect(scrape.matching('saga_consumer_lag')).toEqual([]);
  });
});
