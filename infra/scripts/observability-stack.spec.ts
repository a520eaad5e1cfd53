import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PLATFORM_SERVICE_NAMES, SERVICE_NAMES } from '@saga/contracts';
import { DEFAULT_PORTS } from '@saga/platform/config';
import { REPO_ROOT } from './local-paths';
import { mounts, read, type Compose } from './deployment-fixtures';

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
