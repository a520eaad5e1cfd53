import { parseChaosArgs } from './chaos-options';

describe('parseChaosArgs', () => {
  it('defaults to the full-size single-broker run', () => {
    expect(parseChaosArgs(['--seed', '3'])).toEqual({
      orders: 2000,
      rate: 20,
      instances: 2,
      brokers: 1,
      kills: 6,
      brokerKills: 0,
      dbTerminations: 3,
      duplicateBursts: 2,
      poison: true,
      settleTimeoutS: 300,
      seed: 3,
      relay: 'notify',
    });
  });

  it('runs the WAL relay when asked', () => {
    expect(parseChaosArgs(['--relay', 'wal']).relay).toBe('wal');
  });

  it('kills brokers by default only in a three-broker cluster', () => {
    expect(parseChaosArgs(['--brokers', '3']).brokerKills).toBe(2);
    expect(parseChaosArgs(['--brokers', '3', '--broker-kills', '0']).brokerKills).toBe(0);
  });

  it.each([
    [['--brokers', '2'], /--brokers must be 1 or 3/],
    [['--broker-kills', '1'], /--broker-kills needs --brokers 3/],
    [['--orders', '0'], /--orders must be an integer from 1 to 20000/],
    [['--orders', '1e9'], /--orders must be an integer/],
    [['--rate', '0'], /--rate must be a number above 0/],
    [['--instances', '9'], /--instances must be an integer from 1 to 4/],
    [['--kills', 'many'], /--kills must be an integer/],
    [['--what'], /Unknown option '--what'/],
    [['--relay', 'poll'], /--relay must be notify or wal/],
  ])('refuses %j with a message that names the flag', (args, message) => {
    expect(() => parseChaosArgs(args)).toThrow(message);
  });
});
