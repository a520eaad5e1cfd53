import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PLATFORM_SERVICE_NAMES, SERVICE_NAMES, allTopics } from '@saga/contracts';
import { DEFAULT_PORTS, databaseName, databaseRole, serviceDatabaseSql } from '@saga/platform/config';
import { REPO_ROOT } from './local-paths';

interface ComposeService {
  image?: string;
  command?: string[];
  build?: { context: string; args?: Record<string, string> };
  environment?: Record<string, string | number>;
  ports?: string[];
  expose?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

interface Compose {
  services: Record<string, ComposeService>;
}

const read = (file: string) => readFileSync(join(REPO_ROOT, file), 'utf8');

/** The Dockerfile's stages by their `AS` name, each as its instructions with line continuations joined. */
function dockerfileStages(text: string): Record<string, string[]> {
  const instructions = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages: Record<string, string[]> = {};
  let current: string[] = [];
  for (const instruction of instructions) {
    const from = /^FROM\s+\S+\s+AS\s+(\S+)$/i.exec(instruction);
    if (from) stages[from[1]] = current = [instruction];
    else current.push(instruction);
  }
  return stages;
}

/** `npm ci` and `npm run <script>` commands in order, flags dropped, so CI and the Dockerfile compare. */
function npmBuildSteps(text: string): string[] {
  return [...text.matchAll(/\bnpm (ci|run)\b([^\n&;]*)/g)].map(([, verb, rest]) =>
    [
      'npm',
      verb,
      ...rest
        .trim()
        .split(/\s+/)
        .filter((word) => word !== '' && !word.startsWith('-')),
    ].join(' '),
  );
}

/** Whether `.dockerignore` keeps `path` out of the build context (Docker's rules: last match wins, a
 * pattern also covers everything under a matched folder, `**` spans folders, `!` re-includes). */
function dockerIgnores(patterns: string[], path: string): boolean {
  const toRegExp = (pattern: string) =>
    new RegExp(
      `^${pattern
        .replace(/^\/+|\/+$/g, '')
        .split(/(\*\*\/?|\*|\?)/)
        .map((part) =>
          part.startsWith('**')
            ? '(.*/)?'
            : part === '*'
              ? '[^/]*'
              : part === '?'
                ? '[^/]'
                : part.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
        )
        .join('')}(/.*)?$`,
    );
  return patterns.reduce((ignored, pattern) => {
    const negated = pattern.startsWith('!');
    return toRegExp(negated ? pattern.slice(1) : pattern).test(path) ? !negated : ignored;
  }, false);
}

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml')) as Compose;

  it('runs Kafka 3.9 and PostgreSQL', () => {
    expect(compose.services.kafka.image).toMatch(/^apache\/kafka:3\.9\./);
    expect(compose.services.postgres.image).toMatch(/^postgres:15/);
  });

  it('creates exactly the topics of the registry, with their partitions, cleanup policy, size limit and retention', () => {
    // Arrange
    const script = compose.services['kafka-topics'].command?.join('\n') ?? '';

    // Act
    const created = [...script.matchAll(/^\s*create (\S+) (\d+) (\w+) (\d+)(?: (-?\d+))?$/gm)].map(
      ([, name, partitions, policy, maxBytes, retention]) => ({
        name,
        partitions: Number(partitions),
        cleanupPolicy: policy,
        maxMessageBytes: Number(maxBytes),
        ...(retention === undefined ? {} : { retentionMs: Number(retention) }),
      }),
    );

    // Assert
    expect(created).toEqual(
      allTopics().map(({ name, partitions, cleanupPolicy, maxMessageBytes, retentionMs }) => ({
        name,
        partitions,
        cleanupPolicy,
        maxMessageBytes,
        ...(retentionMs === undefined ? {} : { retentionMs }),
      })),
    );
  });

  it("creates every service's role and its database, which only that role may connect to, in the PostgreSQL init script", () => {
    // Act
    const statements = read('infra/postgres/init.sql')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('--'));

    // Assert
    expect(statements).toEqual(
      PLATFORM_SERVICE_NAMES.flatMap((name) => {
        return serviceDatabaseSql(databaseRole(name), databaseName(name));
      }),
    );
  });

  it.each(PLATFORM_SERVICE_NAMES)(
    'builds %s from the Dockerfile and points it at its database (as its own role), Kafka and port',
    (name) => {
      // Arrange
      const service = compose.services[name];
      const port = DEFAULT_PORTS[name];

      // Assert
      expect(service.build).toEqual({ context: '.', args: { SERVICE: name } });
      expect(service.environment).toMatchObject({
        HOST: '0.0.0.0',
        PORT: port,
        DATABASE_URL: `postgres://${databaseRole(name)}@postgres:5432/${databaseName(name)}`,
        KAFKA_BROKERS: 'kafka:29092',
        // Required: compose refuses to start without the issuer's key, and no key is in the file.
        AUTH_JWT_PUBLIC_KEY: expect.stringMatching(
          /^\$\{AUTH_JWT_PUBLIC_KEY:\?.*npm run -s token -- --public-key/,
        ),
      });
      expect(service.ports).toEqual([`127.0.0.1:${port}:${port}`]);
      expect(service.depends_on).toEqual({
        postgres: { condition: 'service_healthy' },
        'kafka-topics': { condition: 'service_completed_successfully' },
        mailpit: { condition: 'service_started' },
      });
      expect(service.healthcheck?.test.join(' ')).toContain('/health/ready');
    },
  );

  it('sends the e-mails to Mailpit, whose inbox and the Kafka UI listen on loopback only', () => {
    expect(compose.services.notification.environment).toMatchObject({
      SMTP_HOST: 'mailpit',
      SMTP_PORT: 1025,
    });
    expect(compose.services.mailpit.ports).toContain('127.0.0.1:8025:8025');
    expect(compose.services['kafka-ui'].ports).toEqual(['127.0.0.1:8080:8080']);
    expect(compose.services['kafka-ui'].environment).toMatchObject({
      KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS: 'kafka:29092',
    });
  });

  it('pins every image to a version', () => {
    // Act
    const images = Object.values(compose.services).flatMap(({ image }) =>
      image === undefined ? [] : [image],
    );

    // Assert
    expect(images).toEqual(
      expect.arrayContaining(
        [
          'axllent/mailpit',
          'ghcr.io/kafbat/kafka-ui',
          'jaegertracing/all-in-one',
          'prom/prometheus',
          'grafana/grafana',
        ].map(anyTag),
      ),
    );
    images.forEach((image) => expect(image).toMatch(/:(?!latest$)[\w.-]+$/));
  });
});

function anyTag(repository: string): unknown {
  return expect.stringMatching(new RegExp(`^${repository.replace(/\./g, '\\.')}:`));
}

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

/** `host:container[:ro]` volumes of a Compose service, as its host paths (relative to the repository). */
function mounts(service: ComposeService): { host: string; container: string }[] {
  return (service.volumes ?? []).map((volume) => {
    const [host, container] = volume.split(':');
    return { host: host.replace(/^\.\//, ''), container };
  });
}

describe('the observability stack in docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml')) as Compose;

  it('binds every published port of every service to loopback only', () => {
    // Act
    const published = Object.entries(compose.services).flatMap(([name, { ports }]) =>
      (ports ?? []).map((port) => `${name} ${port}`),
    );

    // Assert
    expect(published).toEqual(
      expect.arrayContaining([
        'jaeger 127.0.0.1:16686:16686',
        'prometheus 127.0.0.1:9090:9090',
        'grafana 127.0.0.1:3000:3000',
      ]),
    );
    expect(published.filter((entry) => !/^\S+ 127\.0\.0\.1:\d+:\d+$/.test(entry))).toEqual([]);
  });

  it("lists the observability URLs in the header without looking like a service's line to the generator", () => {
    // Arrange: the service generator adds a service's URL after the last line of this form.
    const serviceLine = /^#\s+(\w+)\s+http:\/\/127\.0\.0\.1:(30\d\d)/;
    const header = read('docker-compose.yml').split('\n');

    // Act
    const serviceLines = header.flatMap((line) => {
      const match = serviceLine.exec(line);
      return match ? [`${match[1]}:${match[2]}`] : [];
    });

    // Assert
    expect(serviceLines).toEqual(PLATFORM_SERVICE_NAMES.map((name) => `${name}:${DEFAULT_PORTS[name]}`));
    ['http://127.0.0.1:16686', 'http://127.0.0.1:9090', 'http://127.0.0.1:3000'].forEach((url) =>
      expect(header.filter((line) => line.startsWith('#') && line.includes(url))).toHaveLength(1),
    );
  });

  it('runs Jaeger with OTLP on, its UI on :16686 and OTLP/HTTP on 4318 inside the network only', () => {
    // Arrange
    const jaeger = compose.services.jaeger;

    // Assert
    expect(jaeger.image).toMatch(/^jaegertracing\/all-in-one:1\.\d+\.\d+$/);
    expect(jaeger.environment).toMatchObject({ COLLECTOR_OTLP_ENABLED: 'true' });
    expect(jaeger.expose).toContain('4318');
    expect(jaeger.ports).toEqual(['127.0.0.1:16686:16686']);
  });

  it.each(SERVICE_NAMES)(
    'has %s send its traces to Jaeger over OTLP/HTTP (the service names itself)',
    (name) => {
      // Arrange
      const environment = compose.services[name].environment ?? {};

      // Act
      const endpoint = new URL(String(environment.OTEL_EXPORTER_OTLP_ENDPOINT));

      // Assert
      expect(endpoint.href).toBe('http://jaeger:4318/');
      expect(compose.services[endpoint.hostname].expose).toContain(endpoint.port);
      expect(environment).not.toHaveProperty('OTEL_SERVICE_NAME');
    },
  );

  it('has Prometheus scrape /metrics of exactly the four services, on the port each listens on, every 5 s', () => {
    // Arrange
    const prometheus = compose.services.prometheus;
    const config = parse(read('infra/observability/prometheus/prometheus.yml')) as {
      global: { scrape_interval: string };
      scrape_configs: {
        job_name: string;
        metrics_path?: string;
        scheme?: string;
        static_configs: { targets: string[]; labels?: Record<string, string> }[];
      }[];
    };

    // Act
    const scraped = config.scrape_configs.flatMap(
      ({ metrics_path = '/metrics', scheme = 'http', static_configs }) =>
        static_configs.flatMap(({ targets }) =>
          targets.map((target) => `${scheme}://${target}${metrics_path}`),
        ),
    );
    const labels = config.scrape_configs.flatMap(({ static_configs }) =>
      static_configs.flatMap(({ labels = {} }) => Object.keys(labels)),
    );

    // Assert
    expect(prometheus.image).toMatch(/^prom\/prometheus:v\d+\.\d+\.\d+$/);
    expect(prometheus.ports).toEqual(['127.0.0.1:9090:9090']);
    expect(mounts(prometheus)).toContainEqual({
      host: 'infra/observability/prometheus/prometheus.yml',
      container: '/etc/prometheus/prometheus.yml',
    });
    expect(config.global.scrape_interval).toBe('5s');
    expect(scraped.sort()).toEqual(
      SERVICE_NAMES.map(
        (name) => `http://${name}:${compose.services[name].environment?.PORT}/metrics`,
      ).sort(),
    );
    expect(labels).not.toContain('service'); // it would rename the services' own `service` label
  });

  it('runs Grafana for anyone as admin, provisioned from files that exist', () => {
    // Arrange
    const grafana = compose.services.grafana;

    // Act
    const missing = [grafana, compose.services.prometheus]
      .flatMap(mounts)
      .filter(({ host }) => !existsSync(join(REPO_ROOT, host)))
      .map(({ host }) => host);

    // Assert
    expect(grafana.image).toMatch(/^grafana\/grafana:\d+\.\d+\.\d+$/);
    expect(grafana.ports).toEqual(['127.0.0.1:3000:3000']);
    expect(grafana.environment).toMatchObject({
      GF_AUTH_ANONYMOUS_ENABLED: 'true',
      GF_AUTH_ANONYMOUS_ORG_ROLE: 'Admin',
    });
    expect(mounts(grafana)).toEqual(
      expect.arrayContaining([
        { host: 'infra/observability/grafana/provisioning', container: '/etc/grafana/provisioning' },
      ]),
    );
    expect(missing).toEqual([]);
  });

  it('gives Grafana Prometheus and Jaeger as data sources, under the uids the dashboard uses', () => {
    // Act
    const { datasources } = parse(
      read('infra/observability/grafana/provisioning/datasources/datasources.yml'),
    ) as { datasources: { type: string; uid: string; url: string }[] };

    // Assert
    expect(datasources.map(({ type, uid, url }) => ({ type, uid, url }))).toEqual([
      { type: 'prometheus', uid: 'prometheus', url: 'http://prometheus:9090' },
      { type: 'jaeger', uid: 'jaeger', url: 'http://jaeger:16686' },
    ]);
  });

  it('loads the dashboards from the folder mounted where the provider looks, saga-platform.json among them', () => {
    // Arrange
    const { providers } = parse(
      read('infra/observability/grafana/provisioning/dashboards/dashboards.yml'),
    ) as { providers: { type: string; options: { path: string } }[] };

    // Act
    const folders = providers.map(({ type, options }) => {
      const mounted = mounts(compose.services.grafana).find(({ container }) => container === options.path);
      return { type, host: mounted?.host };
    });

    // Assert
    expect(folders).toEqual([{ type: 'file', host: 'infra/observability/grafana/dashboards' }]);
    expect(readdirSync(join(REPO_ROOT, 'infra/observability/grafana/dashboards'))).toContain(
      'saga-platform.json',
    );
  });
});

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

describe('Dockerfile', () => {
  const stages = dockerfileStages(read('Dockerfile'));

  it('builds with exactly the npm steps CI runs (npm ci, then npm run build)', () => {
    // Arrange
    const ciSteps = npmBuildSteps(read('.ci/run')).filter((step) =>
      ['npm ci', 'npm run build'].includes(step),
    );

    // Act
    const buildSteps = npmBuildSteps(stages.build.filter((line) => line.startsWith('RUN')).join('\n'));

    // Assert
    expect(ciSteps).toEqual(['npm ci', 'npm run build']);
    expect(buildSteps).toEqual(ciSteps);
    expect(stages.build[0]).toMatch(/^FROM node:20-bookworm-slim AS build$/);
  });

  it('runs production dependencies and the bundles only, as the non-root node user', () => {
    // Arrange
    const runtime = stages.runtime.join('\n');

    // Assert
    expect(stages.runtime[0]).toMatch(/^FROM node:20-bookworm-slim AS runtime$/);
    expect(runtime).toMatch(/^RUN npm ci --omit=dev\b/m);
    expect(runtime).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^ARG SERVICE$/m);
    expect(runtime).toMatch(/^CMD .*node dist\/apps\/\$SERVICE\/main\.js/m);
  });

  it("probes /health/ready, falling back to each service's default port", () => {
    // Arrange
    const healthcheck = stages.runtime.find((line) => line.startsWith('HEALTHCHECK')) ?? '';

    // Act
    const ports = /\{ (order: \d+[^}]*) \}/.exec(healthcheck)?.[1] ?? '';

    // Assert
    expect(healthcheck).toContain('/health/ready');
    expect(Object.fromEntries(ports.split(', ').map((entry) => entry.split(': ')))).toEqual(
      Object.fromEntries(PLATFORM_SERVICE_NAMES.map((name) => [name, String(DEFAULT_PORTS[name])])),
    );
  });
});

describe('.dockerignore', () => {
  const patterns = read('.dockerignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

  it('keeps out dependencies, build output, run-time state and git', () => {
    ['node_modules', 'apps/order/node_modules', 'dist', '.local/test-results/jest.json', '.git'].forEach(
      (path) => expect([path, dockerIgnores(patterns, path)]).toEqual([path, true]),
    );
  });

  it('keeps everything `npm run build` reads (nest-cli.json, its projects, their tsconfig chain)', () => {
    // Arrange: what nest-cli.json names, every tsconfig and webpack file at the root, all of apps/ and libs/.
    const nest = JSON.parse(read('nest-cli.json')) as {
      compilerOptions: { tsConfigPath: string };
      projects: Record<
        string,
        { root: string; sourceRoot: string; compilerOptions: { tsConfigPath: string } }
      >;
    };
    const named = Object.values(nest.projects).flatMap((project) => [
      project.root,
      project.sourceRoot,
      project.compilerOptions.tsConfigPath,
    ]);
    const rootFiles = readdirSync(REPO_ROOT).filter((file) => /^(tsconfig.*\.json|webpack.*)$/.test(file));
    const sources = ['apps', 'libs'].flatMap((folder) =>
      readdirSync(join(REPO_ROOT, folder), { recursive: true, encoding: 'utf8' }).map(
        (file) => `${folder}/${file}`,
      ),
    );
    const needed = [
      ...new Set([
        ...['package.json', 'package-lock.json', 'nest-cli.json', nest.compilerOptions.tsConfigPath],
        ...rootFiles,
        ...named,
        ...sources,
      ]),
    ];

    // Act
    const excluded = needed.filter((path) => dockerIgnores(patterns, path));

    // Assert
    expect(needed.filter((path) => !existsSync(join(REPO_ROOT, path)))).toEqual([]);
    expect(rootFiles).toEqual(expect.arrayContaining(['tsconfig.json', 'tsconfig.build.json']));
    expect(excluded).toEqual([]);
  });

  it('reads patterns as Docker does (a check of the matcher the tests above rely on)', () => {
    expect(dockerIgnores(['**/node_modules'], 'libs/x/node_modules/y')).toBe(true);
    expect(dockerIgnores(['*.log'], 'apps/a.log')).toBe(false);
    expect(dockerIgnores(['apps', '!apps/order'], 'apps/order/src/main.ts')).toBe(false);
    expect(dockerIgnores(['tsconfig*.json'], 'tsconfig.build.json')).toBe(true);
  });
});
