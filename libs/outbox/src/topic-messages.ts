import type { Message, TopicMessages } from 'kafkajs';

/**
 * Groups records by topic, each topic's in the order given, for one kafkajs `sendBatch`; `topicPrefix`
 * (`KAFKA_TOPIC_PREFIX`) is prepended to every logical topic name.
 */
export function topicMessages(
  records: readonly { readonly topic: string; readonly message: Message }[],
  topicPrefix = '',
): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const { topic, message } of records) {
    const messages = byTopic.get(topic);
    if (messages) messages.push(message);
    else byTopic.set(topic, [message]);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic: `${topicPrefix}${topic}`, messages }));
}
