import { join } from 'node:path';
import { buildServices } from '../../infra/scripts/build-services';
import type { ChaosOptions } from '../../infra/scripts/chaos/chaos-options';
import { formatChaosReport } from '../../infra/scripts/chaos/chaos-report';
import { runChaos } from '../../infra/scripts/chaos/run-chaos';
import type { ChaosReport } from '../../infra/scripts/chaos/chaos-verdict';
import { localDir } from '../../infra/scripts/local-paths';

/**
 * The short chaos runs of CI (issue 6; issue 20 for the WAL relay): 200 orders against two processes per
 * service, with two `kill -9` and restarts, a database's connections terminated (in `wal` mode its relay's
 * replication connection too), a duplicate burst and every kind of poison record; once with each outbox
 * relay. Its assertions are docs/design.md's invariants and the dead-letter contract, never timings.
 */
describe.each(['notify', 'wal'] as const)(
  'chaos: the saga under crashes, cut connections, duplicates and poison (short run, %s relay)',
  (relay) => {
    const options: ChaosOptions = {
      orders: 200,
      rate: 20,
      instances: 2,
      brokers: 1,
      kills: 2,
      brokerKills: 0,
      dbTerminations: 1,
      duplicateBursts: 1,
      poison: true,
      settleTimeoutS: 240,
      seed: Number(process.env.CHAOS_SEED || 20261122),
      relay,
    };
    let report: ChaosReport;

    beforeAll(async () => {
      buildServices(false, (line) => console.log(line));
      report = await runChaos(options, {
        brokerNodes: [],
        logDir: join(localDir(), 'chaos', `e2e-${relay}-${Date.now()}`),
        log: () => undefined,
      });
      console.log(formatChaosReport(report));
    }, 600_000);

    it('injected every fault it planned', () => {
      expect(report.faults.filter((fault) => fault.error)).toEqual([]);
      expect(report.faults.filter((fault) => fault.what.startsWith('kill -9'))).toHaveLength(2);
      expect(report.faults.filter((fault) => fault.what.startsWith('pg_terminate_backend'))).toHaveLength(1);
    });

    it('accepted every order once, under its Idempotency-Key, and settled each', () => {
      expect(report.notPlaced).toEqual([]);
      expect(report.placed).toBe(options.orders);
      expect(report.orderMismatches).toEqual([]);
      expect(report.unsettled).toEqual([]);
      expect(report.settled).toBe(options.orders);
    });

    it('broke no invariant and lost no event', () => {
      expect(report.violations).toEqual([]);
      expect(report.lostEvents).toBe(0);
    });

    it('re-sent an e-mail only where a notification instance died holding it, with the same Message-ID', () => {
      expect(report.mailRedeliveries.length).toBeLessThanOrEqual(report.notificationKills);
      expect(report.mailRedeliveries.map((violation) => violation.redelivery?.copies)).toEqual(
        report.mailRedeliveries.map(() => 2),
      );
    });

    it('absorbed every duplicate in the inboxes', () => {
      expect(report.duplicates.injected).toBeGreaterThan(0);
      expect(report.duplicates.absorbed).toBeGreaterThanOrEqual(report.duplicates.injected);
    });

    it('answered every request with a status of the contract: 2xx, 4xx or 503, never another 5xx', () => {
      // A cut database connection is a 503 with Retry-After, not a 500 (ProblemDetailsFilter).
      expect(report.availability.answered['5xx']).toBe(0);
      expect(report.availability.answered['2xx']).toBeGreaterThan(0);
    });

    it('dead-lettered each poison record with its reason, and nothing else', () => {
      expect(report.deadLetters.problems).toEqual([]);
      expect(report.deadLetters.expected).toBeGreaterThan(0);
      expect(report.deadLetters.found).toBe(report.deadLetters.expected);
      expect(report.deadLetters.unexpected).toEqual([]);
    });
  },
);
