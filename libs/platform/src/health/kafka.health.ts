import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Kafka, type Admin } from 'kafkajs';
import { withTimeout } from '@saga/common';
import { SERVICE_CONFIG } from '../service-config.token';
import type { ServiceConfig } from '../config';
import { kafkaClientConfig } from '../kafka/kafka-options';

/** The part of a kafkajs admin client the checks need; a fake stands in for it in unit tests. */
export type ClusterProbe = Pick<
  Admin,
  'connect' | 'disconnect' | 'describeCluster' | 'listTopics' | 'fetchTopicOffsets'
>;

/** Builds the probe; a provider so that unit tests can replace the broker. */
export const CLUSTER_PROBE_FACTORY = Symbol('CLUSTER_PROBE_FACTORY');

/** Makes a fresh probe. */
export type ClusterProbeFactory = () => ClusterProbe;

/** Provider of the real probe: a kafkajs admin client that does not retry, so a check answers fast. */
export const clusterProbeFactoryProvider = {
  provide: CLUSTER_PROBE_FACTORY,
  inject: [SERVICE_CONFIG],
  useFactory:
    (config: ServiceConfig): ClusterProbeFactory =>
    () =>
      new Kafka({ ...kafkaClientConfig(config), retry: { retries: 0 } }).admin(),
};

/**
 * Readiness of Kafka: a real admin request (`DescribeCluster`) answered within the timeout. One admin
 * connection is kept between checks; after a failure it is dropped and the next check reconnects.
 */
@Injectable()
export class KafkaHealthIndicator implements OnApplicationShutdown {
  private probe?: Promise<ClusterProbe>;

  constructor(
    private readonly indicators: HealthIndicatorService,
    @Inject(CLUSTER_PROBE_FACTORY) private readonly createProbe: ClusterProbeFactory,
  ) {}

  async check(key: string, timeoutMs = 2000) {
    const indicator = this.indicators.check(key);
    try {
      const cluster = await this.request((probe) => probe.describeCluster(), timeoutMs);
      return indicator.up({ brokers: cluster.brokers.length, controller: cluster.controller });
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }

  /**
   * Runs one admin request on the shared connection, within the timeout. A failure drops the
   * connection (the next request reconnects) and rejects.
   */
  async request<T>(work: (probe: ClusterProbe) => Promise<T>, timeoutMs = 2000): Promise<T> {
    try {
      // Concurrent requests share one connection attempt instead of each opening (and leaking) a client.
      this.probe ??= this.connect();
      const probe = this.probe;
      return await withTimeout(
        probe.then((connected) => work(connected)),
        timeoutMs,
      );
    } catch (error) {
      await this.reset();
      throw error;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.reset();
  }

  private async connect(): Promise<ClusterProbe> {
    const probe = this.createProbe();
    try {
      await probe.connect();
      return probe;
    } catch (error) {
      await probe.disconnect().catch(() => undefined);
      throw error;
    }
  }

  private async reset(): Promise<void> {
    const probe = this.probe;
    this.probe = undefined;
    await probe?.then((connected) => connected.disconnect()).catch(() => undefined);
  }
}
