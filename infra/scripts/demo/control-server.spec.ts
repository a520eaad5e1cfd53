import { TokenVerifier, authSettingsFromEnv } from '@saga/platform';
import { TokenIssuer } from '@saga/test-kit/token-issuer';
import { ControlError, startControlServer, type ChaosActions, type ControlServer } from './control-server';

const DASHBOARD = 'http://127.0.0.1:3601';

/** The control server on a free port, with fake chaos actions that record their calls. */
async function control({ chaos = true, port = 0 } = {}) {
  const issuer = TokenIssuer.generate();
  const calls: string[] = [];
  const actions: ChaosActions = {
    kill: (instance) => {
      if (instance === 'payment-9') throw new ControlError(404, 'no instance payment-9');
      calls.push(`kill ${instance}`);
      return { instance, state: 'down' };
    },
    freezeBroker: (seconds) => calls.push(`freeze ${seconds}`),
    cutDatabase: (service) => Promise.resolve(calls.push(`cut ${service}`)),
    poison: ({ topic, kind }) => Promise.resolve(calls.push(`poison ${topic} ${kind}`)),
  };
  const server = await startControlServer({
    port,
    origins: [DASHBOARD],
    verifier: new TokenVerifier(authSettingsFromEnv(issuer.serviceEnv())),
    status: () => ({ chaos, instances: [], broker: { state: 'external' } }),
    chaos: chaos ? actions : undefined,
  });
  return { server, calls, issuer };
}

async function post(server: ControlServer, path: string, token: string | undefined, body: string) {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
  });
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    body: (await response.json()) as Record<string, unknown>,
  };
}

describe('the demo control server', () => {
  const servers: ControlServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  async function started(options?: { chaos?: boolean }) {
    const made = await control(options);
    servers.push(made.server);
    return made;
  }

  it("answers GET /status to the dashboard's origin, saying whether the viewer is an admin", async () => {
    // Arrange
    const { server, issuer } = await started();
    const admin = await issuer.mint({ admin: 'ops' });
    const customer = await issuer.mint({ customer: 'alice' });

    // Act
    const asAdmin = await fetch(`${server.url}/status`, {
      headers: { origin: DASHBOARD, authorization: `Bearer ${admin}` },
    });
    const asCustomer = await fetch(`${server.url}/status`, {
      headers: { authorization: `Bearer ${customer}` },
    });
    const anonymous = await fetch(`${server.url}/status`, { headers: { origin: 'http://127.0.0.1:9999' } });
    const preflight = await fetch(`${server.url}/chaos/kill`, {
      method: 'OPTIONS',
      headers: { origin: DASHBOARD, 'access-control-request-method': 'POST' },
    });

    // Assert
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.headers.get('access-control-allow-origin')).toBe(DASHBOARD);
    await expect(asAdmin.json()).resolves.toEqual({
      chaos: true,
      instances: [],
      broker: { state: 'external' },
      viewer: { admin: true },
    });
    await expect(asCustomer.json()).resolves.toMatchObject({ viewer: { admin: false } });
    expect(anonymous.headers.get('access-control-allow-origin')).toBeNull();
    await expect(anonymous.json()).resolves.toMatchObject({ viewer: { admin: false } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
  });

  it('injects each fault for an admin with a valid body', async () => {
    // Arrange
    const { server, calls, issuer } = await started();
    const admin = await issuer.mint({ admin: 'ops' });

    // Act
    const answers = [
      await post(server, '/chaos/kill', admin, '{"instance":"payment-1"}'),
      await post(server, '/chaos/freeze-broker', admin, '{"seconds":5}'),
      await post(server, '/chaos/cut-database', admin, '{"service":"inventory"}'),
      await post(server, '/chaos/poison', admin, ''),
      await post(server, '/chaos/poison', admin, '{"topic":"payment.events","kind":"unknown type"}'),
    ];

    // Assert
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    expect(answers[0].body).toEqual({ instance: 'payment-1', state: 'down' });
    expect(calls).toEqual([
      'kill payment-1',
      'freeze 5',
      'cut inventory',
      'poison order.events garbage bytes',
      'poison payment.events unknown type',
    ]);
  });

  it.each([
    ['no token', undefined, 401],
    ['a bad token', 'not-a-jwt', 401],
    ['a customer', 'customer', 403],
  ])('refuses %s with problem+json and injects nothing', async (_what, who, status) => {
    // Arrange
    const { server, calls, issuer } = await started();
    const token =
      who === 'customer' ? await issuer.mint({ customer: 'alice' }) : who === undefined ? undefined : who;

    // Act
    const answer = await post(server, '/chaos/kill', token, '{"instance":"payment-1"}');

    // Assert
    expect(answer.status).toBe(status);
    expect(answer.type).toBe('application/problem+json');
    expect(answer.body).toMatchObject({ status, instance: '/chaos/kill' });
    expect(calls).toEqual([]);
  });

  it.each([
    ['/chaos/kill', '{"instance":"payment"}', 400, /instance: must be like payment-1/],
    ['/chaos/kill', '{"instance":', 400, /not valid JSON/],
    ['/chaos/freeze-broker', '{"seconds":61}', 400, /seconds/],
    ['/chaos/freeze-broker', '{"seconds":"5"}', 400, /seconds/],
    ['/chaos/cut-database', '{"service":"postgres"}', 400, /service/],
    ['/chaos/poison', '{"topic":"nope"}', 400, /topic/],
    ['/chaos/kill', '{"instance":"payment-1","extra":1}', 400, /extra/],
    ['/chaos/kill', '{"instance":"payment-9"}', 404, /no instance payment-9/],
    ['/chaos/constructor', '{}', 404, /POST \/chaos\/<fault>/],
    ['/chaos/kill', `{"instance":"${'x'.repeat(5000)}"}`, 413, /at most 4096 bytes/],
  ])('answers POST %s %s with %d problem+json', async (path, body, status, detail) => {
    // Arrange
    const { server, calls, issuer } = await started();

    // Act
    const answer = await post(server, path, await issuer.mint({ admin: 'ops' }), body);

    // Assert
    expect(answer).toMatchObject({ status, type: 'application/problem+json', body: { status } });
    expect(answer.body.detail).toMatch(detail);
    expect(calls).toEqual([]);
  });

  it('has no chaos endpoint without --chaos', async () => {
    // Arrange
    const { server, issuer } = await started({ chaos: false });

    // Act
    const answer = await post(
      server,
      '/chaos/kill',
      await issuer.mint({ admin: 'ops' }),
      '{"instance":"order-1"}',
    );

    // Assert
    expect(answer.status).toBe(404);
    expect(answer.body.detail).toMatch(/without --chaos/);
  });

  it('says which variable to change when its port is taken', async () => {
    // Arrange
    const { server } = await started();
    const port = Number(new URL(server.url).port);

    // Act
    const second = control({ port });

    // Assert
    await expect(second).rejects.toThrow(`the demo's control port ${port} is taken: set DEMO_CONTROL_PORT`);
  });
});
