import { packageOf, summariseProfile } from './cpu-profile-summary';

describe('CPU profile summary', () => {
  it('names the package of a frame', () => {
    expect(packageOf('file:///app/node_modules/kafkajs/src/network/connection.js')).toBe('kafkajs');
    expect(packageOf('/app/node_modules/@nestjs/core/router.js')).toBe('@nestjs/core');
    expect(packageOf('node:net')).toBe('node:net');
    expect(packageOf('/app/dist/apps/order/main.js')).toBe('app bundle');
    expect(packageOf('')).toBe('(native)');
  });

  it('adds up self time per package and function, and time with callees per package', () => {
    // Arrange: main (app) → query (pg) → writev (native); 3 samples in writev, 1 in query
    const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 1 });
    const profile = {
      nodes: [
        { id: 1, callFrame: frame('main', '/app/dist/apps/order/main.js'), children: [2] },
        { id: 2, callFrame: frame('query', '/app/node_modules/pg/lib/client.js'), children: [3] },
        { id: 3, callFrame: frame('writev', '') },
      ],
      samples: [3, 3, 3, 2],
      timeDeltas: [100, 100, 100, 100],
    };

    // Act
    const summary = summariseProfile(profile);

    // Assert
    expect(summary.selfByPackage).toEqual([
      { name: '(native)', share: 75 },
      { name: 'pg', share: 25 },
    ]);
    expect(summary.inclusiveByPackage).toEqual([
      { name: 'app bundle', share: 100 },
      { name: 'pg', share: 100 },
      { name: '(native)', share: 75 },
    ]);
    expect(summary.selfByFunction[0]).toEqual({ name: 'writev ((native):1)', share: 75 });
  });
});
