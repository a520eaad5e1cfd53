import { z } from 'zod';
import { parseEnv } from '@saga/platform';

/** The services the dashboard's browser reads besides the order service. */
export const DASHBOARD_PEERS = ['payment', 'inventory', 'notification'] as const;

/** One of {@link DASHBOARD_PEERS}. */
export type DashboardPeer = (typeof DASHBOARD_PEERS)[number];

/** What the dashboard page needs to know from the server (`GET /dashboard/config`). */
export const DashboardConfigSchema = z
  .object({
    peers: z
      .object({ payment: z.string(), inventory: z.string(), notification: z.string() })
      .describe(
        "Base URL of each peer service as the visitor's browser reaches it (`DASHBOARD_PEERS`). The order " +
          'service never calls them: the page does, and each peer allows it by CORS.',
      ),
    demoControl: z
      .string()
      .optional()
      .describe(
        "Where the browser reads the state of the demo's instances, and sends the chaos panel's faults " +
          '(`DASHBOARD_DEMO_CONTROL_URL`, set by `npm run demo`); absent, the page shows no such panel.',
      ),
  })
  .meta({ id: 'DashboardConfig' });
export type DashboardConfig = z.infer<typeof DashboardConfigSchema>;

/** Injection token of the {@link DashboardConfig}. */
export const DASHBOARD_CONFIG = Symbol('DASHBOARD_CONFIG');

const DEFAULT_PEERS =
  'payment=http://127.0.0.1:3002,inventory=http://127.0.0.1:3003,notification=http://127.0.0.1:3004';

const baseUrl = z
  .string({ error: 'must name payment, inventory and notification, each with its URL' })
  .regex(/^https?:\/\/[^/\s]+(\/[^\s]*)?$/, 'must be an http(s) URL');

/** `name=url,name=url`: exactly the three peers, each once. */
const peerList = z
  .string()
  .transform((raw, context) => {
    const entries = raw.split(',').map((entry) => entry.trim().split('='));
    if (entries.some((entry) => entry.length !== 2)) {
      context.addIssue({ code: 'custom', message: 'must be a comma-separated list of name=url' });
      return z.NEVER;
    }
    return Object.fromEntries(entries.map(([name, url]) => [name.trim(), url.trim().replace(/\/+$/, '')]));
  })
  .pipe(
    z.strictObject(
      { payment: baseUrl, inventory: baseUrl, notification: baseUrl },
      { error: 'must name only payment, inventory and notification' },
    ),
  );

const schema = z
  .object({
    DASHBOARD_PEERS: peerList.optional(),
    DASHBOARD_DEMO_CONTROL_URL: z
      .string()
      .regex(/^https?:\/\/[^/\s]+\/?$/, 'must be an http(s) URL with no path, e.g. http://127.0.0.1:3101')
      .transform((url) => url.replace(/\/+$/, ''))
      .optional()
      .or(z.literal('').transform(() => undefined)),
  })
  .transform((env): DashboardConfig => ({
    peers: env.DASHBOARD_PEERS ?? peerList.parse(DEFAULT_PEERS),
    ...(env.DASHBOARD_DEMO_CONTROL_URL ? { demoControl: env.DASHBOARD_DEMO_CONTROL_URL } : {}),
  }));

/** Reads `DASHBOARD_PEERS` and `DASHBOARD_DEMO_CONTROL_URL`; fails fast with a ConfigError naming them. */
export function loadDashboardConfig(env: Record<string, string | undefined>): DashboardConfig {
  return parseEnv(schema, env);
}
