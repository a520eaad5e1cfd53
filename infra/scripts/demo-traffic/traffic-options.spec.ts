import { MAX_DURATION_S, MAX_RATE, parseTrafficArgs } from './traffic-options';

describe('parseTrafficArgs', () => {
  it('places 20 orders/s for 60 s against the demo order service by default', () => {
    // Act
    const options = parseTrafficArgs(['--seed', '7']);

    // Assert
    expect(options).toEqual({
      rate: 20,
      durationS: 60,
      orderUrl: 'http://127.0.0.1:3001',
      seed: 7,
      settleTimeoutS: 60,
    });
  });

  it('reads every flag, and accepts localhost with a trailing slash', () => {
    // Act
    const options = parseTrafficArgs([
      ...['--rate', '2.5', '--duration', '600', '--order-url', 'http://localhost:4001/'],
      ...['--seed', '0', '--settle-timeout', '5'],
    ]);

    // Assert
    expect(options).toEqual({
      rate: 2.5,
      durationS: 600,
      orderUrl: 'http://localhost:4001',
      seed: 0,
      settleTimeoutS: 5,
    });
  });

  it.each([
    [['--rate', String(MAX_RATE + 1)], /--rate must be a number above 0 and at most 200, not "201"/],
    [['--rate', '0'], /--rate must be/],
    [['--rate=-5'], /--rate must be/],
    [['--rate', 'fast'], /--rate must be/],
    [['--duration', String(MAX_DURATION_S + 1)], /--duration must be a number above 0 and at most 600/],
    [['--duration', ''], /--duration must be/],
    [['--seed', '1.5'], /--seed must be an integer/],
    [['--settle-timeout', '601'], /--settle-timeout must be/],
    [['--burst'], /Unknown option '--burst'[\s\S]*usage: npm run demo:traffic/],
  ])('refuses %j', (args, message) => {
    // Act + Assert
    expect(() => parseTrafficArgs(args)).toThrow(message);
  });

  it.each(['http://10.0.0.5:3001', 'http://example.com', 'http://127.0.0.1.example.com:3001'])(
    'refuses to send traffic to another host: %s',
    (url) => {
      // Act + Assert
      expect(() => parseTrafficArgs(['--order-url', url])).toThrow(
        /^refusing to send traffic to .+: demo:traffic only targets this machine \(127\.0\.0\.1 or localhost\)/,
      );
    },
  );

  it('refuses what is not an http URL', () => {
    // Act + Assert
    expect(() => parseTrafficArgs(['--order-url', '127.0.0.1:3001'])).toThrow(/http or https|not a URL/);
    expect(() => parseTrafficArgs(['--order-url', 'nonsense'])).toThrow(/is not a URL/);
  });
});
