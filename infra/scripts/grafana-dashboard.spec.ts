import { read } from './deployment-fixtures';

/**
 * The metrics the services expose at `GET /metrics` (libs/platform/src/observability/platform-metrics.ts
 * and the order service's saga outcomes), by type: what the Grafana dashboard may query.
 */
const METRICS = {
  saga_outbox_backlog: 'gauge',
  saga_outbox_oldest_age_seconds: 'gauge',
  saga_outbox_published_total: 'counter',
  saga_outbox_publish_latency_seconds: 'histogram',
  saga_consumer_lag: 'gauge',
  saga_handler_duration_seconds: 'histogram',
  saga_handler_retries_total: 'counter',
  saga_dead_letters_total: 'counter',
  saga_inbox_duplicates_total: 'counter',
  saga_events_applied_total: 'counter',
  saga_orders_settled_total: 'counter',
  saga_order_duration_seconds: 'histogram',
  saga_orders_stuck: 'gauge',
  saga_orders_flagged_stuck_total: 'counter',
  http_server_request_duration_seconds: 'histogram',
} as const;

/** The series a metric shows up as in PromQL (a histogram as its `_bucket`, `_sum` and `_count`). */
function seriesOf(metric: keyof typeof METRICS): string[] {
  return METRICS[metric] === 'histogram' ? ['_bucket', '_sum', '_count'].map((s) => metric + s) : [metric];
}

/** The metric names a PromQL expression selects: what is left once strings, label matchers, ranges,
 * `by (…)`-style label lists, function calls and binary keywords are taken out. */
function promqlMetricNames(expr: string): string[] {
  const selectors = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const keywords = ['and', 'or', 'unless', 'bool', 'offset', 'group_left', 'group_right'];
  return [...selectors.matchAll(/[a-zA-Z_:][\w:]*(?![\w:]|\s*\()/g)]
    .map(([name]) => name)
    .filter((name) => !keywords.includes(name));
}

interface DashboardPanel {
  type: string;
  title: string;
  datasource?: unknown;
  targets?: { expr: string; datasource?: unknown }[];
  panels?: DashboardPanel[];
}

interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: DashboardPanel[];
}

describe('the Grafana dashboard (infra/observability/grafana/dashboards/saga-platform.json)', () => {
  const dashboard = JSON.parse(
    read('infra/observability/grafana/dashboards/saga-platform.json'),
  ) as Dashboard;
  const panels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
  const queryPanels = panels.filter(({ type }) => type !== 'row');
  const known = new Set((Object.keys(METRICS) as (keyof typeof METRICS)[]).flatMap(seriesOf));

  it('is the "Saga platform" dashboard, in rows for the saga outcomes, the outbox, the consumers and HTTP', () => {
    expect(dashboard).toMatchObject({ uid: 'saga-platform', title: 'Saga platform' });
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(panels.filter(({ type }) => type === 'row').map(({ title }) => title)).toEqual([
      'Saga outcomes',
      'Outbox',
      'Consumers',
      'HTTP',
    ]);
  });

  it('queries Prometheus by its provisioned uid in every panel and every query', () => {
    // Act
    const elsewhere = queryPanels.flatMap(({ title, datasource, targets = [] }) =>
      [datasource, ...targets.map((target) => target.datasource)]
        .filter(
          (source) => JSON.stringify(source) !== JSON.stringify({ type: 'prometheus', uid: 'prometheus' }),
        )
        .map((source) => `${title}: ${JSON.stringify(source)}`),
    );

    // Assert
    expect(queryPanels.length).toBeGreaterThan(0);
    expect(queryPanels.filter(({ targets = [] }) => targets.length === 0).map(({ title }) => title)).toEqual(
      [],
    );
    expect(elsewhere).toEqual([]);
  });

  it('queries only metrics the services expose', () => {
    // Act
    const unknown = queryPanels.flatMap(({ title, targets = [] }) =>
      targets.flatMap(({ expr }) =>
        promqlMetricNames(expr)
          .filter((name) => !known.has(name))
          .map((name) => `${title}: ${name}`),
      ),
    );

    // Assert
    expect(unknown).toEqual([]);
  });

  it('shows every saga metric in some panel, and the stuck orders in red from 1', () => {
    // Arrange
    const queried = new Set(
      queryPanels.flatMap(({ targets = [] }) => targets.flatMap(({ expr }) => promqlMetricNames(expr))),
    );
    const stuck = queryPanels.find(({ targets = [] }) =>
      targets.some(({ expr }) => promqlMetricNames(expr).includes('saga_orders_stuck')),
    ) as {
      fieldConfig?: { defaults?: { thresholds?: { steps: { color: string; value: number | null }[] } } };
    };

    // Act
    const unshown = (Object.keys(METRICS) as (keyof typeof METRICS)[])
      .filter((metric) => !metric.startsWith('http_'))
      .filter((metric) => !seriesOf(metric).some((series) => queried.has(series)));

    // Assert
    expect(unshown).toEqual([]);
    expect(stuck?.fieldConfig?.defaults?.thresholds?.steps).toContainEqual({ color: 'red', value: 1 });
  });

  it('reads metric names out of PromQL (a check of the extractor the tests above rely on)', () => {
    expect(
      promqlMetricNames(
        'histogram_quantile(0.99, sum by (service, le) (rate(a_bucket{x="y", z=~"w"}[$__rate_interval])))' +
          ' / on (service) group_left sum without (pod) (b_total) and c',
      ),
    ).toEqual(['a_bucket', 'b_total', 'c']);
    expect(promqlMetricNames('sum(increase(d[$__range])) > bool 1')).toEqual(['d']);
  });
});
