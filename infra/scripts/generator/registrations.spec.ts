import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import * as contracts from '@saga/contracts';
import { REPO_ROOT } from '../local-paths';
import { registrations } from './registrations';
import { planServiceSpec, type RepositoryView } from './service-spec';

const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');

const repo: RepositoryView = {
  contractExports: contracts,
  exists: () => false,
  projects: [],
  ports: { order: 3001, payment: 3002, inventory: 3003, notification: 3004 },
};

/** A service this repository has not added yet (the files below are the real ones). */
const NAME = ['courier', 'regcheck'].find((name) => !contracts.isPlatformService(name))!;

describe('registrations (npm run generate:service)', () => {
  const spec = planServiceSpec({ name: NAME, consumes: ['OrderConfirmed'], produces: [] }, repo);

  it('adds the role and the database of the new service to the PostgreSQL init script, as the four have them', () => {
    // Arrange
    const before = read('infra/postgres/init.sql');

    // Act
    const after = registrations(spec, read)['infra/postgres/init.sql'];

    // Assert
    expect(after.startsWith(before.replace(/\n*$/, '\n'))).toBe(true);
    expect(after.slice(before.replace(/\n*$/, '\n').length)).toBe(
      [
        '',
        `CREATE ROLE ${NAME}_service LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;`,
        `CREATE DATABASE ${NAME}_service OWNER ${NAME}_service;`,
        `REVOKE CONNECT, TEMPORARY ON DATABASE ${NAME}_service FROM PUBLIC;`,
        `GRANT CONNECT ON DATABASE ${NAME}_service TO ${NAME}_service;`,
        '',
      ].join('\n'),
    );
  });

  it('points the new compose service at its database as its own role', () => {
    // Act
    const compose = parse(registrations(spec, read)['docker-compose.yml']) as {
      services: Record<string, { environment?: Record<string, string | number> }>;
    };

    // Assert
    expect(compose.services[NAME].environment).toMatchObject({
      DATABASE_URL: `postgres://${NAME}_service@postgres:5432/${NAME}_service`,
    });
  });
});

describe('registrations: the choreography table', () => {
  const spec = planServiceSpec({ name: NAME, consumes: ['OrderConfirmed'], produces: [] }, repo);

  it('adds what the new service consumes to the choreography table, importing each definition once', () => {
    // Arrange
    const both = planServiceSpec(
      { name: NAME, consumes: ['OrderConfirmed', 'OrderCancelled'], produces: [] },
      repo,
    );

    // Act
    const after = registrations(both, read)['libs/contracts/src/choreography.ts'];
    const services = registrations(both, read)['libs/contracts/src/services.ts'];

    // Assert
    expect(after).toContain(`  ${NAME}: [OrderConfirmedV1, OrderCancelledV1],\n  // generate:service adds`);
    expect(after.match(/^import \{ OrderConfirmedV1 \}/gm)).toHaveLength(1);
    expect(services).toContain(`  ${NAME}: { port: ${both.port} },\n`);
  });

  it('imports a consumed definition the table did not import yet from where the event registry does', () => {
    // Arrange
    const read2 = (path: string) =>
      path.endsWith('choreography.ts')
        ? read(path).replace("import { OrderConfirmedV1 } from './order/order-confirmed.v1';\n", '')
        : read(path);

    // Act
    const after = registrations(spec, read2)['libs/contracts/src/choreography.ts'];

    // Assert
    expect(after).toMatch(/^import \{ OrderConfirmedV1 \} from '\.\/order\/order-confirmed\.v1';$/m);
  });
});
