import { ConfigError } from '@saga/platform';
import { loadDashboardConfig } from './dashboard-config';

describe('loadDashboardConfig', () => {
  it('points at the peers on their default ports when DASHBOARD_PEERS is unset', () => {
    expect(loadDashboardConfig({})).toEqual({
      peers: {
        payment: 'http://127.0.0.1:3002',
        inventory: 'http://127.0.0.1:3003',
        notification: 'http://127.0.0.1:3004',
      },
    });
  });

  it('reads name=url pairs in any order, without trailing slashes', () => {
    // Act
    const config = loadDashboardConfig({
      DASHBOARD_PEERS:
        'notification=http://mail.local:80/, payment=https://pay.example.com,inventory=http://x:1',
    });

    // Assert
    expect(config.peers).toEqual({
      payment: 'https://pay.example.com',
      inventory: 'http://x:1',
      notification: 'http://mail.local:80',
    });
  });

  it.each([
    ['payment=http://a:1,inventory=http://b:2', /DASHBOARD_PEERS: .*notification/],
    ['payment=http://a:1;inventory=http://b:2', /DASHBOARD_PEERS: /],
    ['payment=ftp://a,inventory=http://b:2,notification=http://c:3', /DASHBOARD_PEERS: .*http\(s\) URL/],
    ['payment=http://a:1,inventory=http://b:2,notification=http://c:3,order=http://d:4', /DASHBOARD_PEERS: /],
    ['payment', /DASHBOARD_PEERS: must be a comma-separated list of name=url/],
  ])('rejects DASHBOARD_PEERS=%s naming the variable', (value, message) => {
    // Act
    const load = () => loadDashboardConfig({ DASHBOARD_PEERS: value });

    // Assert
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(message);
  });

  it('tells the page where the demo control server is when DASHBOARD_DEMO_CONTROL_URL is set', () => {
    // Act
    const configs = [
      loadDashboardConfig({ DASHBOARD_DEMO_CONTROL_URL: 'http://127.0.0.1:3101/' }),
      loadDashboardConfig({ DASHBOARD_DEMO_CONTROL_URL: '' }),
    ];

    // Assert
    expect(configs.map((config) => config.demoControl)).toEqual(['http://127.0.0.1:3101', undefined]);
    expect('demoControl' in configs[1]).toBe(false);
  });

  it.each(['127.0.0.1:3101', 'http://127.0.0.1:3101/status', 'javascript:alert(1)'])(
    'rejects DASHBOARD_DEMO_CONTROL_URL=%s naming the variable',
    (value) => {
      // Act
      const load = () => loadDashboardConfig({ DASHBOARD_DEMO_CONTROL_URL: value });

      // Assert
      expect(load).toThrow(ConfigError);
      expect(load).toThrow(/DASHBOARD_DEMO_CONTROL_URL: /);
    },
  );
});
