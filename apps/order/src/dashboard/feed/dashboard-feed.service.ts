import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Observable, type Subscriber } from 'rxjs';
import { DataSource } from 'typeorm';
import { readOrderCards, readSnapshot, readStepsAbove, type FeedStep, type OrderCard } from './feed-queries';
import { StepCursor } from './step-cursor';

/** What the dashboard's stream sends. */
export type FeedMessage =
  /** First, the latest orders with their timelines. */
  | { readonly kind: 'snapshot'; readonly orders: (OrderCard & { timeline: FeedStep[] })[] }
  /** Then each batch of new timeline steps, with the current state of the orders they belong to. */
  | { readonly kind: 'steps'; readonly steps: FeedStep[]; readonly orders: OrderCard[] };

/** How often a feed looks for new timeline steps. */
export const FEED_POLL_MS = 400;

/**
 * The dashboard's live feed, one per connected page: a snapshot of the latest orders, then every new
 * `order_timeline` row once, in id order, found by polling the order database. Polling the service's
 * own table keeps the dashboard out of the saga: no consumer group, no extra topic, nothing in the
 * outbox. A failed poll is logged and retried; the page's connection stays open.
 */
@Injectable()
export class DashboardFeedService implements OnModuleDestroy {
  private readonly logger = new Logger(DashboardFeedService.name);
  private readonly open = new Set<Subscriber<FeedMessage>>();

  constructor(private readonly dataSource: DataSource) {}

  /** A cold stream: each subscription gets its own snapshot and cursor, and stops polling when left. */
  feed(pollMs = FEED_POLL_MS): Observable<FeedMessage> {
    return new Observable<FeedMessage>((subscriber) => {
      let timer: NodeJS.Timeout | undefined;
      let cursor: StepCursor | undefined;
      this.open.add(subscriber);
      const poll = async () => {
        try {
          if (!cursor) {
            const snapshot = await this.dataSource.transaction('REPEATABLE READ', readSnapshot);
            cursor = new StepCursor(snapshot.highest, snapshot.sent);
            subscriber.next({ kind: 'snapshot', orders: snapshot.orders });
          } else {
            const message = await this.newSteps(cursor);
            if (message) subscriber.next(message);
          }
        } catch (error) {
          this.logger.warn(`dashboard feed: ${error instanceof Error ? error.message : String(error)}`);
        }
        if (!subscriber.closed) timer = setTimeout(() => void poll(), pollMs);
      };
      void poll();
      return () => {
        clearTimeout(timer);
        this.open.delete(subscriber);
      };
    });
  }

  /** Ends every open stream, so that the HTTP server can close without waiting for the pages. */
  onModuleDestroy(): void {
    for (const subscriber of this.open) subscriber.complete();
  }

  private async newSteps(cursor: StepCursor): Promise<FeedMessage | undefined> {
    const steps = cursor.unsent(await readStepsAbove(this.dataSource.manager, cursor.floor));
    if (steps.length === 0) return undefined;
    const orders = await readOrderCards(this.dataSource.manager, [...new Set(steps.map((s) => s.orderId))]);
    // Marked sent only now: a failed read leaves them for the next poll.
    cursor.markSent(steps);
    return { kind: 'steps', steps, orders };
  }
}
