import { serviceDatabaseSql } from '@saga/platform/config';
import { parse } from 'yaml';
import { contractPath } from './contract-files';
import { GeneratorError, type ServiceSpec } from './service-spec';

/** Reads a repository file (path relative to the root); the edits below never touch the disk. */
export type ReadFile = (path: string) => string;

/** `text` with `insert` placed before the line that holds `marker`; refuses when the marker is gone. */
function beforeMarker(file: string, text: string, marker: string, insert: string): string {
  const at = text.indexOf(marker);
  if (at < 0) throw new GeneratorError(`${file}: cannot find the line "${marker.trim()}" to add after`);
  const lineStart = text.lastIndexOf('\n', at) + 1;
  return text.slice(0, lineStart) + insert + text.slice(lineStart);
}

/** `text` with `insert` placed after the last line matching `pattern`. */
function afterLastLine(file: string, text: string, pattern: RegExp, insert: string): string {
  const lines = text.split('\n');
  const last = lines.findLastIndex((line) => pattern.test(line));
  if (last < 0) throw new GeneratorError(`${file}: no line matches ${String(pattern)}`);
  lines.splice(last + 1, 0, ...insert.replace(/\n$/, '').split('\n'));
  return lines.join('\n');
}

/** Every existing file the new service is registered in, with its new text. */
export function registrations(spec: ServiceSpec, read: ReadFile): Record<string, string> {
  const edits: Record<string, string> = {
    'libs/contracts/src/services.ts': serviceRegistry(spec, read('libs/contracts/src/services.ts')),
    'libs/contracts/src/choreography.ts': choreography(spec, read),
    'nest-cli.json': nestCli(spec, read('nest-cli.json')),
    'package.json': packageJson(spec, read('package.json')),
    'infra/postgres/init.sql': `${read('infra/postgres/init.sql').replace(/\n*$/, '\n')}\n${initSql(spec)}`,
    'docker-compose.yml': dockerCompose(spec, read('docker-compose.yml')),
    Dockerfile: dockerfile(spec, read('Dockerfile')),
  };
  if (spec.produces.length > 0) {
    edits['libs/contracts/src/topics.ts'] = topicRegistry(spec, read('libs/contracts/src/topics.ts'));
    edits['libs/contracts/src/registry.ts'] = eventRegistry(spec, read('libs/contracts/src/registry.ts'));
    edits['libs/contracts/src/index.ts'] = contractsIndex(spec, read('libs/contracts/src/index.ts'));
  }
  return edits;
}

/**
 * The service's role and database for the PostgreSQL container, as infra/postgres/init.sql has them for
 * the four: the role `<name>_service` owns the database `<name>_service`, which no other role may
 * connect to (`npm run infra:up` does the same without Docker).
 */
function initSql(spec: ServiceSpec): string {
  const name = `${spec.name}_service`;
  return `${serviceDatabaseSql(name, name).join('\n')}\n`;
}

function serviceRegistry(spec: ServiceSpec, text: string): string {
  return beforeMarker(
    'libs/contracts/src/services.ts',
    text,
    '// generate:service adds new services above this line.',
    `  ${spec.name}: { port: ${spec.port} },\n`,
  );
}

/**
 * The new service's entry in the choreography table, and the imports of the definitions it consumes,
 * from the files the event registry imports them from.
 */
function choreography(spec: ServiceSpec, read: ReadFile): string {
  const file = 'libs/contracts/src/choreography.ts';
  const registry = read('libs/contracts/src/registry.ts');
  let text = read(file);
  for (const { constName } of spec.consumes) {
    if (new RegExp(`^import \\{[^}]*\\b${constName}\\b`, 'm').test(text)) continue;
    const from = new RegExp(`^import \\{[^}]*\\b${constName}\\b[^}]*\\} from '(\\./[^']+)';$`, 'm').exec(
      registry,
    );
    if (!from) throw new GeneratorError(`libs/contracts/src/registry.ts: no import of ${constName}`);
    text = afterLastLine(
      file,
      text,
      /^import .* from '\.\/[^']+';$/,
      `import { ${constName} } from '${from[1]}';`,
    );
  }
  const consumed = spec.consumes.map((event) => event.constName).join(', ');
  return beforeMarker(
    file,
    text,
    '// generate:service adds new consumers above this line.',
    `  ${spec.name}: [${consumed}],\n`,
  );
}

function topicRegistry(spec: ServiceSpec, text: string): string {
  return beforeMarker(
    'libs/contracts/src/topics.ts',
    text,
    '// generate:service adds new topics above this line.',
    `  ${spec.topicKey}: {
    name: '${spec.name}.events',
    producer: '${spec.name}',
    key: 'orderId',
    partitions: 6,
    cleanupPolicy: 'delete',
    maxMessageBytes: MAX_RECORD_BYTES,
  },
`,
  );
}

function eventRegistry(spec: ServiceSpec, text: string): string {
  const file = 'libs/contracts/src/registry.ts';
  const imports = spec.produces
    .map((event) => `import { ${event.constName} } from './${relative(contractPath(spec, event))}';`)
    .join('\n');
  const withImports = afterLastLine(file, text, /^import .* from '\.\/[^']+';$/, imports);
  const events = /export const EVENTS: readonly EventDefinition\[] = \[\n[\s\S]*?\n\];/.exec(withImports);
  if (!events) throw new GeneratorError(`${file}: cannot find the EVENTS list`);
  const list = events[0].replace(
    /\n\];$/,
    `\n${spec.produces.map((e) => `  ${e.constName},`).join('\n')}\n];`,
  );
  return withImports.replace(events[0], list);
}

function contractsIndex(spec: ServiceSpec, text: string): string {
  const exports = text.split('\n').filter((line) => line.startsWith('export * from '));
  const added = spec.produces.map((event) => `export * from './${relative(contractPath(spec, event))}';`);
  const others = text.split('\n').filter((line) => line !== '' && !line.startsWith('export * from '));
  return `${[...others, ...[...exports, ...added].sort()].join('\n')}\n`;
}

/** `libs/contracts/src/shipping/x.v1.ts` → `shipping/x.v1`. */
function relative(path: string): string {
  return path.replace(/^libs\/contracts\/src\//, '').replace(/\.ts$/, '');
}

function nestCli(spec: ServiceSpec, text: string): string {
  const cli = JSON.parse(text) as { projects: Record<string, { type: string }> };
  const entries = Object.entries(cli.projects);
  const lastApp = entries.findLastIndex(([, project]) => project.type === 'application');
  entries.splice(lastApp + 1, 0, [
    spec.name,
    {
      type: 'application',
      root: `apps/${spec.name}`,
      entryFile: 'main',
      sourceRoot: `apps/${spec.name}/src`,
      compilerOptions: { tsConfigPath: `apps/${spec.name}/tsconfig.app.json` },
    } as { type: string },
  ]);
  return `${JSON.stringify({ ...cli, projects: Object.fromEntries(entries) }, null, 2)}\n`;
}

function packageJson(spec: ServiceSpec, text: string): string {
  const build = /("build": "nest build)([^"]*)"/;
  if (!build.test(text))
    throw new GeneratorError('package.json: the build script is not "nest build <apps…>"');
  return text.replace(build, (_all, head: string, apps: string) => `${head}${apps} ${spec.name}"`);
}

function dockerCompose(spec: ServiceSpec, text: string): string {
  const file = 'docker-compose.yml';
  let out = afterLastLine(
    file,
    text,
    /^#\s+\w+\s+http:\/\/127\.0\.0\.1:30\d\d/,
    `#   ${spec.name.padEnd(12)} http://127.0.0.1:${spec.port}`,
  );
  if (spec.produces.length > 0) {
    out = afterLastLine(
      file,
      out,
      /^\s+create \S+ \d+ \w+ \d+$/,
      `        create ${spec.name}.events 6 delete 1048576`,
    );
  }
  out = afterLastLine(
    file,
    out,
    /^\s+create \S+\.dlq /,
    `        create ${spec.name}.dlq 1 delete 1114112 -1`,
  );
  out = beforeMarker(
    file,
    out,
    '  # Catches every e-mail the notification service sends',
    composeService(spec),
  );
  parse(out); // a generator that breaks the file must say so here, not at `docker compose up`
  return out;
}

function composeService(spec: ServiceSpec): string {
  return `  ${spec.name}:
    build:
      context: .
      args:
        SERVICE: ${spec.name}
    depends_on: *service-depends-on
    restart: on-failure
    stop_grace_period: 30s
    ports:
      - '127.0.0.1:${spec.port}:${spec.port}'
    environment:
      HOST: 0.0.0.0
      PORT: ${spec.port}
      DATABASE_URL: postgres://${spec.name}_service@postgres:5432/${spec.name}_service
      KAFKA_BROKERS: kafka:29092
      # The token issuer's public key, from .env (\`npm run -s token -- --public-key >> .env\`; docs/security.md).
      AUTH_JWT_PUBLIC_KEY: \${AUTH_JWT_PUBLIC_KEY:?set AUTH_JWT_PUBLIC_KEY in .env - npm run -s token -- --public-key >> .env}
      # Traces over OTLP/HTTP to <endpoint>/v1/traces.
      OTEL_EXPORTER_OTLP_ENDPOINT: http://jaeger:4318
      # The dashboard (order, :3001) reads every service's API from the browser.
      CORS_ORIGINS: http://127.0.0.1:3001,http://localhost:3001
    healthcheck: *service-healthcheck

`;
}

function dockerfile(spec: ServiceSpec, text: string): string {
  const services = /order\|payment\|inventory\|notification(?:\|[a-z0-9]+)*/g;
  const ports = /(\{ order: 3001[^}]*?) \}\[process\.env\.SERVICE\]/;
  if (!services.test(text) || !ports.test(text)) {
    throw new GeneratorError('Dockerfile: cannot find the list of services and their default ports');
  }
  return text
    .replace(services, (list) => `${list}|${spec.name}`)
    .replace(ports, (_all, head: string) => `${head}, ${spec.name}: ${spec.port} }[process.env.SERVICE]`);
}
