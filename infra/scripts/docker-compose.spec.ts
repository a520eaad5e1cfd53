import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { SERVICE_NAMES, allTopics } from '@saga/contracts';
import { databaseName } from '@saga/platform/config';
import { REPO_ROOT } from './local-paths';

interface Compose {
  services: Record<string, { image?: string; command?: string[] }>;
}

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8')) as Compose;

  it('runs Kafka 3.9 and PostgreSQL', () => {
    expect(compose.services.kafka.image).toMatch(/^apache\/kafka:3\.9\./);
    expect(compose.services.postgres.image).toMatch(/^postgres:15/);
  });

  it('creates exactly the topics of the registry, with their partitions, cleanup policy and retention', () => {
    // Arrange
    const script = compose.services['kafka-topics'].command?.join('\n') ?? '';

    // Act
    const created = [...script.matchAll(/^\s*create (\S+) (\d+) (\w+)(?: (-?\d+))?$/gm)].map(
      ([, name, partitions, policy, retention]) => ({
        name,
        partitions: Number(partitions),
        cleanupPolicy: policy,
        ...(retention === undefined ? {} : { retentionMs: Number(retention) }),
      }),
    );

    // Assert
    expect(created).toEqual(
      allTopics().map(({ name, partitions, cleanupPolicy, retentionMs }) => ({
        name,
        partitions,
        cleanupPolicy,
        ...(retentionMs === undefined ? {} : { retentionMs }),
      })),
    );
  });

  it('creates the four service databases in the PostgreSQL init script', () => {
    // Act
    const sql = readFileSync(join(REPO_ROOT, 'infra/postgres/init.sql'), 'utf8');
    const created = [...sql.matchAll(/^CREATE DATABASE (\w+);$/gm)].map(([, name]) => name);

    // Assert
    expect(created).toEqual(SERVICE_NAMES.map(databaseName));
  });
});
