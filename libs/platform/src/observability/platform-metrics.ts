import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { withTimeout } from '@saga/common';
import type { ConsumerObserver, PartitionLag } from '@saga/messaging';
import type { OutboxBacklog, RelayObserver, SlotLag } from '@saga/outbox';

/** Seconds, from a millisecond's work to a slow handler's: the handler and publish histograms. */
const FAST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** How long a gauge read at scrape time may take before the scrape goes on without it. */
const COLLECT_TIMEOUT_MS = 3_000;

let processRegistry: Registry | undefined;

/**
 * Node's process metrics (CPU, memory, event-loop lag, GC), collected once per process whatever the
 * number of services in it: each collector starts monitors that are never stopped.
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** `work`, unless it takes longer than a scrape can wait. */
export function scrapeWithin<T>(work: Promise<T>, what: string): Promise<T> {
  return withTimeout(work, COLLECT_TIMEOUT_MS, what);
}

/**
 * The metrics every service exposes at `GET /metrics` (Prometheus text format), in a registry of its
 * own labelled `service="<name>"`, so several services can share a process. The outbox relay and the
 * consumer report through {@link relayObserver} and {@link consumerObserver}; backlog and lag are read
 * when Prometheus scrapes. A service adds its own metrics to {@link registry} (the order service's saga
 * outcomes).
 */
export class PlatformMetrics {
  readonly registry = new Registry();
  readonly outboxPublished: Counter<'topic'>;
  readonly outboxPublishLatency: Histogram<'topic'>;
  readonly handlerDuration: Histogram<'event_type' | 'outcome'>;
  readonly eventsApplied: Counter<'event_type'>;
  readonly handlerRetries: Counter<'event_type'>;
  readonly inboxDuplicates: Counter<'event_type'>;
  readonly deadLetters: Counter<'topic' | 'reason'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  private readBacklog?: () => Promise<OutboxBacklog>;
  private backlogNow?: Promise<OutboxBacklog | undefined>;
  private readLag?: () => Promise<PartitionLag[]>;
  private readSlot?: () => Promise<SlotLag | undefined>;

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    processMetrics();
    const registers = [this.registry];
    this.outboxPublished = new Counter({
      name: 'saga_outbox_published_total',
      help: 'Outbox rows the relay published (acknowledged by the broker).',
      labelNames: ['topic'],
      registers,
    });
    this.outboxPublishLatency = new Histogram({
      name: 'saga_outbox_publish_latency_seconds',
      help: "From the insert of an outbox row (the database's clock) to the broker's acknowledgement of it.",
      labelNames: ['topic'],
      buckets: FAST_BUCKETS,
      registers,
    });
    this.handlerDuration = new Histogram({
      name: 'saga_handler_duration_seconds',
      help: 'Time in an event handler; outcome=failed when it threw or its transaction rolled back.',
      labelNames: ['event_type', 'outcome'],
      buckets: FAST_BUCKETS,
      registers,
    });
    this.eventsApplied = new Counter({
      name: 'saga_events_applied_total',
      help: 'Consumed events applied (handler run and committed with the inbox entry).',
      labelNames: ['event_type'],
      registers,
    });
    this.handlerRetries = new Counter({
      name: 'saga_handler_retries_total',
      help: 'Records tried again after their handler or transaction failed.',
      labelNames: ['event_type'],
      registers,
    });
    this.inboxDuplicates = new Counter({
      name: 'saga_inbox_duplicates_total',
      help: 'Records delivered again after they had been applied: the inbox absorbed them.',
      labelNames: ['event_type'],
      registers,
    });
    this.deadLetters = new Counter({
      name: 'saga_dead_letters_total',
      help: 'Records sent to the dead-letter topic, by the topic they were read from and the reason.',
      labelNames: ['topic', 'reason'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'http_server_request_duration_seconds',
      help: 'HTTP requests, by route pattern and status (health probes and scrapes excluded).',
      labelNames: ['method', 'route', 'status_code'],
      buckets: FAST_BUCKETS,
      registers,
    });
    this.backlogGauge('saga_outbox_backlog', 'Outbox rows not yet published.', (backlog) => backlog.size);
    this.backlogGauge(
      'saga_outbox_oldest_age_seconds',
      'Age of the oldest unpublished outbox row (0 when the outbox is empty).',
      (backlog) => backlog.oldestAgeMs / 1000,
    );
    this.slotGauge(
      'saga_outbox_slot_unconfirmed_bytes',
      "WAL written since the position the WAL relay's slot last confirmed (OUTBOX_RELAY=wal).",
      (slot) => slot.unconfirmedBytes,
    );
    this.slotGauge(
      'saga_outbox_slot_retained_bytes',
      "WAL the server keeps for the WAL relay's slot (OUTBOX_RELAY=wal).",
      (slot) => slot.retainedBytes,
    );
    const lag: Gauge<'topic' | 'partition'> = new Gauge({
      name: 'saga_consumer_lag',
      help: "Records on each consumed partition that the service's group has not committed yet.",
      labelNames: ['topic', 'partition'],
      registers,
      collect: async () => {
        const read = this.readLag;
        const lags = read ? await scrapeWithin(read(), 'reading the consumer lag').catch(() => []) : [];
        lag.reset(); // after the await: an overlapping scrape cannot wipe what this one set
        for (const entry of lags)
          lag.set({ topic: entry.topic, partition: String(entry.partition) }, entry.lag);
      },
    });
  }

  /** The WAL relay's slot gauges (no sample without a slot: the polling relay has none). */
  private slotGauge(name: string, help: string, value: (slot: SlotLag) => number): void {
    const gauge: Gauge = new Gauge({
      name,
      help,
      registers: [this.registry],
      collect: async () => {
        const read = this.readSlot;
        const slot = read
          ? await scrapeWithin(read(), 'reading the replication slot').catch(() => undefined)
          : undefined;
        gauge.reset();
        if (slot) gauge.set(value(slot));
      },
    });
  }

  /** The Prometheus text of a scrape: this service's metrics, then the process's. */
  async text(): Promise<string> {
    return `${await this.registry.metrics()}\n${await processMetrics().metrics()}`;
  }

  /** Where the backlog gauges are read from at each scrape. */
  watchOutbox(read: () => Promise<OutboxBacklog>): void {
    this.readBacklog = read;
  }

  /** Where the slot gauges are read from at each scrape (the WAL relay's slot). */
  watchSlot(read: () => Promise<SlotLag | undefined>): void {
    this.readSlot = read;
  }

  /** Where the lag gauge is read from at each scrape. */
  watchConsumer(read: () => Promise<PartitionLag[]>): void {
    this.readLag = read;
  }

  /** The relay's reports, as metrics. */
  relayObserver(): RelayObserver {
    return {
      published: (topic, latencySeconds) => {
        this.outboxPublished.inc({ topic });
        this.outboxPublishLatency.observe({ topic }, latencySeconds);
      },
    };
  }

  /** The consumer's reports, as metrics. */
  consumerObserver(): ConsumerObserver {
    return {
      handled: (eventType, seconds, outcome) => {
        this.handlerDuration.observe({ event_type: eventType, outcome }, seconds);
        if (outcome === 'applied') this.eventsApplied.inc({ event_type: eventType });
      },
      retried: (eventType) => this.handlerRetries.inc({ event_type: eventType }),
      duplicate: (eventType) => this.inboxDuplicates.inc({ event_type: eventType }),
      deadLettered: (topic, reason) => this.deadLetters.inc({ topic, reason }),
    };
  }

  /** A gauge of the outbox backlog, read when Prometheus scrapes. */
  private backlogGauge(name: string, help: string, value: (backlog: OutboxBacklog) => number): void {
    const gauge: Gauge = new Gauge({
      name,
      help,
      registers: [this.registry],
      collect: async () => {
        const backlog = await this.currentBacklog();
        gauge.set(backlog ? value(backlog) : Number.NaN);
      },
    });
  }

  /**
   * The backlog, read once for both gauges of a scrape. An unreadable backlog reads as NaN rather than a
   * false 0; unreadable lag leaves the partitions out.
   */
  private currentBacklog(): Promise<OutboxBacklog | undefined> {
    const read = this.readBacklog;
    if (!read) return Promise.resolve(undefined);
    this.backlogNow ??= scrapeWithin(read(), 'reading the outbox backlog')
      .catch(() => undefined)
      .finally(() => (this.backlogNow = undefined));
    return this.backlogNow;
  }
}
