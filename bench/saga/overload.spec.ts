import { acceptedOverFromMetrics } from './overload';

describe("overload trial: the order service's own slow answers", () => {
  it('counts the accepted POST /orders over 100 ms and over 250 ms from the histogram buckets', () => {
    // Arrange: 50 answers, 40 within 100 ms, 47 within 250 ms; other routes and statuses beside them
    const bucket = (route: string, status: string, le: string, n: number) =>
      `http_server_request_duration_seconds_bucket{method="POST",route="${route}",status_code="${status}",le="${le}"} ${n}`;
    const text = [
      '# HELP http_server_request_duration_seconds HTTP requests',
      bucket('/orders', '202', '0.05', 30),
      bucket('/orders', '202', '0.1', 40),
      bucket('/orders', '202', '0.25', 47),
      bucket('/orders', '202', '+Inf', 50),
      bucket('/orders', '503', '0.1', 1),
      bucket('/orders', '503', '+Inf', 9),
      bucket('/orders/:id/cancel', '202', '0.1', 0),
      bucket('/orders/:id/cancel', '202', '+Inf', 5),
    ].join('\n');

    // Act
    const counts = acceptedOverFromMetrics(text);

    // Assert
    expect(counts).toEqual({ over100: 10, over250: 3 });
  });

  it('says nothing for a service without the histogram (the raw floor)', () => {
    expect(acceptedOverFromMetrics('# nothing here\nprocess_cpu_seconds_total 3\n')).toBeUndefined();
  });
});
