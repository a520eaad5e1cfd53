import type { EntityManager } from 'typeorm';
import { recordAllInInbox } from './record-all-in-inbox';

/**
 * Records that `consumer` applies event `eventId`, **in the handler's transaction**. Returns false when
 * the event was applied before: the caller acknowledges it without side effects. Two deliveries racing
 * on two instances serialise on the primary key: the second waits for the first to commit, then sees
 * the row and returns false; if the first rolls back, the second applies the event.
 */
export async function recordInInbox(
  manager: EntityManager,
  consumer: string,
  event: { readonly id: string; readonly type: string },
): Promise<boolean> {
  return (await recordAllInInbox(manager, consumer, [event])).size === 1;
}
