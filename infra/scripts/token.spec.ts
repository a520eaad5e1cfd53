import { parseTokenArgs } from './token';

describe('npm run token (arguments)', () => {
  it.each<[string[], ReturnType<typeof parseTokenArgs>]>([
    [['--customer', 'alice'], { kind: 'token', sub: 'alice', admin: false, ttlSeconds: 3600 }],
    [
      ['--customer', 'ops', '--admin', '--ttl', '60'],
      { kind: 'token', sub: 'ops', admin: true, ttlSeconds: 60 },
    ],
    [['--admin'], { kind: 'token', sub: 'admin', admin: true, ttlSeconds: 3600 }],
    [['--public-key'], { kind: 'public-key' }],
  ])('reads %j', (args, command) => {
    expect(parseTokenArgs(args)).toEqual(command);
  });

  it.each<[string[], RegExp]>([
    [[], /usage: npm run token/],
    [['--customer', 'bob smith'], /--customer: letters, digits/],
    [['--customer', 'alice', '--ttl', '0'], /--ttl: expected whole seconds/],
    [['--customer', 'alice', '--role', 'root'], /Unknown option '--role'/],
  ])('refuses %j', (args, message) => {
    expect(() => parseTokenArgs(args)).toThrow(message);
  });
});
