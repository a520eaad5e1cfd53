import { parseMetrics } from './prometheus-scrape';

describe('parseMetrics', () => {
  it('reads samples with their labels and sums those that match, skipping comments', () => {
    // Arrange
    const text = [
      '# HELP saga_events_applied_total Consumed events applied.',
      '# TYPE saga_events_applied_total counter',
      'saga_events_applied_total{event_type="order.placed.v1",service="payment"} 3',
      'saga_events_applied_total{event_type="order.confirmed.v1",service="payment"} 2',
      'saga_outbox_backlog{service="payment"} 0',
      'label_with_escapes{path="a\\"b",service="x"} 1.5',
      '',
    ].join('\n');

    // Act
    const scrape = parseMetrics(text);

    // Assert
    expect(scrape.sum('saga_events_applied_total')).toBe(5);
    expect(scrape.sum('saga_events_applied_total', { event_type: 'order.placed.v1' })).toBe(3);
    expect(scrape.sum('saga_events_applied_total', { service: 'order' })).toBe(0);
    expect(scrape.matching('saga_outbox_backlog')).toEqual([
      { name: 'saga_outbox_backlog', labels: { service: 'payment' }, value: 0 },
    ]);
    expect(scrape.matching('label_with_escapes')[0].labels.path).toBe('a"b');
    expect(scrape.samples).toHaveLength(4);
  });
});
