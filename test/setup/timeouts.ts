/**
 * Integration and e2e tests start real brokers and services: give a test a generous ceiling. Tests
 * still wait on conditions with their own, shorter deadlines; this only stops a hang.
 */
jest.setTimeout(Number(process.env.SAGA_TEST_TIMEOUT_MS || 120_000));
