import type { KafkaMessage } from 'kafkajs';
import { readToEnd } from '@saga/common';
import { SERVICE_NAMES, readAsType, type ServiceName } from '@saga/contracts';
import { testKafka } from '@saga/test-kit';
import { SAGA_SUBSCRIPTIONS, type ProcessPlatform, type SagaHarness } from '@saga/testing';
import { SAGA_TOPICS } from './chaos-records';
import type { TrafficOutcome } from './chaos-traffic';

/* What a chaos run checks once its traffic is over: the orders settled, told of and duplicated. */

/** Waits until every order is CONFIRMED or CANCELLED in the order database; returns those that are not. */
export async function waitForTerminal(
  saga: SagaHarness<ProcessPlatform>,
  orderIds: readonly string[],
  timeoutMs: number,
  log: (line: string) => void,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let lastLog = 0;
  for (;;) {
    const open = await saga.query<{ id: string; status: string }>(
      'order',
      "SELECT id, status FROM orders WHERE id = ANY($1) AND status NOT IN ('CONFIRMED', 'CANCELLED')",
      [orderIds],
    );
    if (open.length === 0) return [];
    if (Date.now() >= deadline) {
      log(
        `  ${open.length} order(s) did not settle: ${open
          .slice(0, 5)
          .map((o) => `${o.id} ${o.status}`)
          .join(', ')}`,
      );
      return open.map((order) => `${order.id} ${order.status}`);
    }
    if (Date.now() - lastLog > 5000) {
      lastLog = Date.now();
      log(`  ${open.length} order(s) still open…`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Every order a client was told of exists under its key, and no other order exists. */
export async function compareOrders(
  saga: SagaHarness<ProcessPlatform>,
  outcome: TrafficOutcome,
): Promise<string[]> {
  const rows = await saga.query<{ id: string; idempotency_key: string | null }>(
    'order',
    'SELECT id, idempotency_key FROM orders',
  );
  const byKey = new Map(rows.map((row) => [row.idempotency_key, row.id]));
  const told = new Set(outcome.accepted.map((order) => order.orderId));
  return [
    ...outcome.accepted
      .filter((order) => byKey.get(order.key) !== order.orderId)
      .map(
        (order) =>
          `${order.key}: accepted as ${order.orderId}, the database has ${byKey.get(order.key) ?? 'nothing'}`,
      ),
    ...rows
      .filter((row) => !told.has(row.id))
      .map((row) => `${row.id} (${row.idempotency_key}): no client was told of it`),
  ];
}

/** Copies of a record (same `ce_id`) beyond the first in the saga topics, and their deliveries to handlers. */
export async function countDuplicates(
  kafka: ReturnType<typeof testKafka>,
  prefix: string,
): Promise<{ inLog: number; absorbed: number }> {
  const copies = new Map<string, { count: number; type: string }>();
  await readToEnd(
    kafka,
    SAGA_TOPICS.map((topic) => `${prefix}${topic}`),
    (_topic, _partition, message: KafkaMessage) => {
      const id = message.headers?.ce_id?.toString();
      if (!id) return;
      const seen = copies.get(id);
      copies.set(id, { count: (seen?.count ?? 0) + 1, type: message.headers?.ce_type?.toString() ?? '' });
    },
  );
  let inLog = 0;
  let absorbed = 0;
  for (const { count, type } of copies.values()) {
    if (count < 2) continue;
    inLog += count - 1;
    const handlers = SERVICE_NAMES.filter((service: ServiceName) =>
      SAGA_SUBSCRIPTIONS[service].includes(readAsType(type)),
    );
    absorbed += (count - 1) * handlers.length;
  }
  return { inLog, absorbed };
}
