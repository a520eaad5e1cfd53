import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  EVENTS,
  OrderPlacedV1,
  SERVICE_NAMES,
  TOPICS,
  createEvent,
  deadLetterTopic,
  isSagaService,
  readAsType,
  toKafkaRecord,
  type EventDefinition,
  type TopicDefinition,
} from '@saga/contracts';
import { DLQ_HEADERS } from '@saga/messaging/dead-letter';
import { DEFAULT_PORTS, databaseName } from '@saga/platform/config/service-config';
import { SAGA_SUBSCRIPTIONS } from '@saga/testing/audit/saga-subscriptions';
import { OrderStatus, TimelineStep } from '../../apps/order/src/orders/order-status';
import { REPO_ROOT } from './local-paths';

/** docs/design.md, the contract. */
const design = readFileSync(join(REPO_ROOT, 'docs', 'design.md'), 'utf8');

/** The text under a `##`/`###` heading, up to the next heading of the same or a higher level. */
function section(heading: string): string {
  const lines = design.split('\n');
  const start = lines.findIndex((line) => /^#{2,3} /.test(line) && line.replace(/^#+ /, '') === heading);
  if (start < 0) throw new Error(`docs/design.md has no heading "${heading}"`);
  const level = lines[start].indexOf(' ');
  const end = lines.findIndex(
    (line, index) => index > start && /^#+ /.test(line) && line.indexOf(' ') <= level,
  );
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

/** The body rows of the first Markdown table in `text`, as trimmed cells (none when it has no table). */
function tableRows(text: string): string[][] {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.startsWith('|'));
  if (start < 0) return [];
  const end = lines.findIndex((line, index) => index > start && !line.startsWith('|'));
  const rows = lines.slice(start, end < 0 ? undefined : end).map((line) =>
    line
      .slice(1, -1)
      .split('|')
      .map((cell) => cell.trim()),
  );
  return rows.slice(2); // the header and its separator
}

/** The code spans of a cell, without their backticks. */
const codeSpans = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1]);

/** The saga's own topics: those the four services produce (not a generated service's). */
const sagaTopics: TopicDefinition[] = [
  ...Object.values(TOPICS as Record<string, TopicDefinition>).filter((topic) =>
    isSagaService(topic.producer),
  ),
  ...SERVICE_NAMES.map(deadLetterTopic),
];

/** The saga's own events: those published on its topics. */
const sagaEvents: EventDefinition[] = EVENTS.filter((event) => isSagaService(event.topic.producer));

/** Which of the four services consume `type` (read as the newest version its upcasters reach). */
const consumersOf = (type: string) =>
  SERVICE_NAMES.filter((service) => SAGA_SUBSCRIPTIONS[service].includes(readAsType(type)));

/** Every operation of one service's checked-in OpenAPI document, as `METHOD /path` with `:params`. */
function openApiOperations(service: string): string[] {
  const document = JSON.parse(
    readFileSync(join(REPO_ROOT, 'docs', 'openapi', `${service}.json`), 'utf8'),
  ) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.keys(item).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
  );
}

/** The operations a row of the endpoint table names (`GET /notifications?orderId=` → `GET /notifications`). */
const operationsIn = (cell: string) =>
  codeSpans(cell)
    .filter((span) => /^(GET|POST|PUT|PATCH|DELETE) \//.test(span))
    .map((span) => span.replace(/\?.*$/, ''));

/**
 * docs/design.md is the product's contract. These tests keep the parts of it that can be checked
 * mechanically true to the code: a change to a topic, an event, a header or an HTTP operation that does
 * not update the contract fails here.
 */
describe('docs/design.md (the contract)', () => {
  it('lists the four services with their default ports and databases', () => {
    // Arrange
    const rows = tableRows(section('Services, ports, databases'));

    // Assert
    expect(rows.map((row) => row[0])).toEqual([...SERVICE_NAMES]);
    for (const service of SERVICE_NAMES) {
      const row = rows.find((cells) => cells[0] === service)!;
      expect({ service, port: row[1], database: row[2] }).toEqual({
        service,
        port: String(DEFAULT_PORTS[service]),
        database: `\`${databaseName(service)}\``,
      });
    }
  });

  it('lists every topic of the saga with its producer, key, partitions and cleanup policy, and no other', () => {
    // Arrange
    const rows = tableRows(section('Topics'));

    // Act
    const documented = rows.map(([name, producer, key, partitions, cleanup]) => ({
      name,
      producer,
      key,
      partitions,
      cleanup,
    }));

    // Assert
    expect(documented).toEqual(
      sagaTopics.map((topic) => ({
        name: `\`${topic.name}\``,
        producer: topic.producer,
        key: `\`${topic.key}\``,
        partitions: String(topic.partitions),
        cleanup: topic.cleanupPolicy,
      })),
    );
  });

  it("names on each topic's row the events published on it", () => {
    // Arrange
    const rows = tableRows(section('Topics'));

    // Assert
    for (const topic of sagaTopics) {
      const row = rows.find((cells) => cells[0] === `\`${topic.name}\``)!;
      for (const event of sagaEvents.filter((e) => e.topic.name === topic.name)) {
        expect({ topic: topic.name, events: row[5] }).toEqual({
          topic: topic.name,
          events: expect.stringContaining(event.name),
        });
      }
    }
  });

  it('lists every event version with its name, ce_type, version, topic, key field and consumers, and no other', () => {
    // Arrange
    const rows = tableRows(section('Events'));

    // Act
    const documented = rows.map(([name, type, version, topic, key, , consumers]) => ({
      name,
      type,
      version,
      topic,
      key,
      consumers: SERVICE_NAMES.filter((service) => new RegExp(`\\b${service}\\b`).test(consumers)),
    }));

    // Assert
    expect(documented).toEqual(
      sagaEvents.map((event) => ({
        name: event.name,
        type: `\`${event.type}\``,
        version: String(event.version),
        topic: `\`${event.topic.name}\``,
        key: `\`${event.topic.key}\``,
        consumers: consumersOf(event.type),
      })),
    );
  });

  it.each(sagaEvents.map((event) => [event.type, event]))(
    "names every data field of %s (and each item's fields)",
    (type, event) => {
      // Arrange
      const row = tableRows(section('Events')).find((cells) => cells[1] === `\`${type}\``)!;
      const fields = (schema: z.ZodType): string[] => {
        if (schema instanceof z.ZodObject) {
          return Object.entries(schema.shape as Record<string, z.ZodType>).flatMap(([name, field]) => [
            name,
            ...fields(field),
          ]);
        }
        if (schema instanceof z.ZodArray) return fields(schema.element as z.ZodType);
        return [];
      };

      // Act
      const missing = fields(event.schema).filter((field) => !codeSpans(row[5]).includes(field));

      // Assert
      expect(missing).toEqual([]);
    },
  );

  it('names every header of an event record and of a dead letter', () => {
    // Arrange
    const first = createEvent(
      OrderPlacedV1,
      {
        orderId: '6c1f1b7e-1d2f-4c1a-9f6e-3b2a1c0d9e8f',
        customerId: 'alice',
        items: [{ sku: 'MOUSE-01', quantity: 1, unitPriceCents: 2900 }],
        totalCents: 2900,
        currency: 'EUR',
      },
      { source: 'order', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    );
    const caused = createEvent(OrderPlacedV1, first.data, { source: 'order', causedBy: first });
    const headers = [...Object.keys(toKafkaRecord(caused).headers), ...Object.values(DLQ_HEADERS)];

    // Act
    const missing = headers.filter((header) => !design.includes(`\`${header}\``));

    // Assert
    expect(missing).toEqual([]);
  });

  it.each(SERVICE_NAMES.map((service) => [service]))(
    'names every operation of docs/openapi/%s.json on a row of that service (or of every service)',
    (service) => {
      // Arrange
      const rows = tableRows(section('Endpoints')).filter(
        ([who]) => who === service || who === 'every service',
      );
      const documented = new Set(rows.flatMap(([, endpoint]) => operationsIn(endpoint)));

      // Act
      const missing = openApiOperations(service).filter((operation) => !documented.has(operation));

      // Assert
      expect(missing).toEqual([]);
    },
  );

  it('names no operation a service does not have', () => {
    // Arrange
    const rows = tableRows(section('Endpoints'));

    // Act
    const unknown = rows.flatMap(([who, endpoint]) => {
      const services = who === 'every service' ? [...SERVICE_NAMES] : [who];
      return operationsIn(endpoint).flatMap((operation) =>
        services
          .filter((service) => !openApiOperations(service).includes(operation))
          .map((service) => `${service}: ${operation}`),
      );
    });

    // Assert
    expect(unknown).toEqual([]);
  });

  it("names every order status and every step of an order's timeline", () => {
    // Arrange
    const values = [...OrderStatus.options, ...TimelineStep.options];

    // Act
    const missing = values.filter((value) => !section('Public HTTP API').includes(`\`${value}\``));

    // Assert
    expect(missing).toEqual([]);
  });
});
