import { parseDlqArgs } from './dlq';

describe('parseDlqArgs', () => {
  it('reads list and replay, with ids for replay', () => {
    expect(parseDlqArgs(['list', 'order'])).toEqual({ action: 'list', service: 'order' });
    expect(parseDlqArgs(['replay', 'payment'])).toEqual({ action: 'replay', service: 'payment' });
    expect(parseDlqArgs(['replay', 'inventory', '--id', '0:12', '--id', '2:7'])).toEqual({
      action: 'replay',
      service: 'inventory',
      ids: ['0:12', '2:7'],
    });
  });

  it.each([
    [[], /usage/],
    [['purge', 'order'], /usage/],
    [['list', 'warehouse7'], /unknown service "warehouse7"; one of order, payment, inventory, notification/],
    [['replay', 'order', '--id', 'abc'], /unexpected "--id"/],
    [['list', 'order', '--id', '0:1'], /unexpected "--id"/],
  ])('refuses %j', (args, message) => {
    expect(() => parseDlqArgs(args)).toThrow(message);
  });
});
