import type { EventDefinition } from './define-event';
import { eventJsonSchema } from './json-schema';
import { EVENTS } from './registry';
import { TOPICS, type TopicDefinition } from './topics';

/** The CloudEvents binary-mode headers every record carries (the `ce_*` attributes and trace context). */
const CLOUD_EVENT_HEADERS = {
  type: 'object',
  required: ['ce_specversion', 'ce_id', 'ce_type', 'ce_source', 'ce_time', 'ce_correlationid'],
  properties: {
    ce_specversion: { type: 'string', const: '1.0', description: 'CloudEvents spec version.' },
    ce_id: { type: 'string', format: 'uuid', description: 'Event id; consumers deduplicate on it.' },
    ce_type: { type: 'string', description: 'Event type with its schema version, e.g. order.placed.v1.' },
    ce_source: { type: 'string', description: 'Producing service, e.g. /saga-platform/order.' },
    ce_time: { type: 'string', format: 'date-time', description: 'When the event happened.' },
    ce_correlationid: { type: 'string', description: 'Shared by every event of one saga.' },
    ce_causationid: { type: 'string', description: 'Id of the event this one reacts to.' },
    traceparent: { type: 'string', description: 'W3C trace context.' },
    'content-type': { type: 'string', const: 'application/json' },
  },
};

function channelId(topic: TopicDefinition): string {
  return Object.entries(TOPICS).find(([, candidate]) => candidate.name === topic.name)![0];
}

function messageId(event: EventDefinition): string {
  return event.type;
}

/**
 * The AsyncAPI 3.0 document of every saga and catalog event, generated from the contracts (written to
 * docs/asyncapi.yaml by `npm run contracts:generate`; never edited by hand).
 */
export function asyncApiDocument(version: string): Record<string, unknown> {
  const topics = Object.values(TOPICS) as TopicDefinition[];
  const channels = Object.fromEntries(
    topics.map((topic) => [
      channelId(topic),
      {
        address: topic.name,
        description: `Produced by the ${topic.producer} service; key = ${topic.key}.`,
        messages: Object.fromEntries(
          EVENTS.filter((event) => event.topic.name === topic.name).map((event) => [
            messageId(event),
            { $ref: `#/components/messages/${messageId(event)}` },
          ]),
        ),
        bindings: {
          kafka: {
            topic: topic.name,
            partitions: topic.partitions,
            topicConfiguration: { 'cleanup.policy': [topic.cleanupPolicy] },
            bindingVersion: '0.5.0',
          },
        },
      },
    ]),
  );
  const operations = Object.fromEntries(
    topics.map((topic) => [
      `${topic.producer}.publish.${channelId(topic)}`,
      {
        action: 'send',
        summary: `The ${topic.producer} service publishes on ${topic.name} (through its outbox).`,
        channel: { $ref: `#/channels/${channelId(topic)}` },
        messages: EVENTS.filter((event) => event.topic.name === topic.name).map((event) => ({
          $ref: `#/channels/${channelId(topic)}/messages/${messageId(event)}`,
        })),
      },
    ]),
  );
  const messages = Object.fromEntries(
    EVENTS.map((event) => {
      const { $schema: _schema, $id: _id, ...payload } = eventJsonSchema(event);
      return [
        messageId(event),
        {
          name: event.name,
          title: `${event.name} v${event.version}`,
          summary: event.description,
          contentType: 'application/json',
          headers: { $ref: '#/components/schemas/CloudEventHeaders' },
          payload: { schemaFormat: 'application/schema+json;version=draft-07', schema: payload },
          bindings: { kafka: { key: { type: 'string' }, bindingVersion: '0.5.0' } },
        },
      ];
    }),
  );
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'saga-platform events',
      version,
      description:
        'The order saga and catalog events, as Kafka records in CloudEvents 1.0 binary mode: attributes in ce_* headers, data as JSON in the value.',
    },
    defaultContentType: 'application/json',
    servers: { local: { host: '127.0.0.1:9092', protocol: 'kafka', description: 'npm run infra:up' } },
    channels,
    operations,
    components: { schemas: { CloudEventHeaders: CLOUD_EVENT_HEADERS }, messages },
  };
}
