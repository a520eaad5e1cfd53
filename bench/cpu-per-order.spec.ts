import { cpuPerOrder } from './cpu-per-order';

describe('CPU per order from a bench result', () => {
  it('turns each sustainable trial’s CPU % into CPU ms per order, per process and for the four services', () => {
    // Arrange: at 10 orders/s, 20 % of a CPU is 200 ms each second, 20 ms an order
    const usage = (order: number, others: number) => ({
      order: { cpuPercent: order },
      payment: { cpuPercent: others },
      inventory: { cpuPercent: others },
      notification: { cpuPercent: others },
      kafka: { cpuPercent: 30 },
    });
    const latency = { p50Ms: 20, p99Ms: 50 };
    const result = {
      variants: [
        {
          name: 'platform',
          trials: [
            { rate: 10, sustainable: true, latency, usage: usage(20, 10) },
            { rate: 40, sustainable: false, latency, usage: usage(90, 60) },
          ],
        },
      ],
    };

    // Act
    const costs = cpuPerOrder(result);

    // Assert: the failed trial is left out; Kafka is listed but not among the services
    expect(costs).toEqual([
      {
        variant: 'platform',
        rate: 10,
        p50Ms: 20,
        p99Ms: 50,
        services: 50,
        perProcess: { order: 20, payment: 10, inventory: 10, notification: 10, kafka: 30 },
      },
    ]);
  });
});
