/**
 * `npm run token -- --customer <id> [--admin] [--ttl <seconds>]` — prints a bearer token from the local
 * dev key (`.local/auth/dev-private.pem`, made on first use) for the demo's services:
 *
 *   curl -H "Authorization: Bearer $(npm run -s token -- --customer alice)" http://127.0.0.1:3001/orders/<id>
 *
 * `--admin` makes it an admin token (`sub` = the --customer id, or `admin`). `--public-key` prints the
 * `AUTH_JWT_PUBLIC_KEY=` line a service (or docker-compose's `.env`) needs to trust these tokens.
 */
import { parseArgs } from 'node:util';
import { OrderCustomerId } from '../../apps/order/src/orders/commands/place-order/place-order.dto';
import { devKeyFile, devTokenIssuer } from './dev-token-issuer';

const USAGE = 'usage: npm run token -- --customer <id> [--admin] [--ttl <seconds>] | --admin | --public-key';

/** What the command line asks for. */
export type TokenCommand =
  | { readonly kind: 'token'; readonly sub: string; readonly admin: boolean; readonly ttlSeconds: number }
  | { readonly kind: 'public-key' };

/** Parses the arguments; throws with the usage on anything else. */
export function parseTokenArgs(args: readonly string[]): TokenCommand {
  const { values } = parseArgs({
    args: [...args],
    options: {
      customer: { type: 'string' },
      admin: { type: 'boolean', default: false },
      ttl: { type: 'string', default: '3600' },
      'public-key': { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values['public-key']) return { kind: 'public-key' };
  const ttlSeconds = Number(values.ttl);
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > 30 * 86_400) {
    throw new Error(`--ttl: expected whole seconds from 1 to 2592000, got ${values.ttl}\n${USAGE}`);
  }
  const sub = values.customer ?? (values.admin ? 'admin' : undefined);
  if (!sub) throw new Error(USAGE);
  // A customer id the order service accepts: the token's sub is the customer of its orders.
  if (!OrderCustomerId.safeParse(sub).success) {
    throw new Error(`--customer: letters, digits, dots, dashes or underscores, at most 64, got ${sub}`);
  }
  return { kind: 'token', sub, admin: values.admin, ttlSeconds };
}

async function main(args: string[]): Promise<void> {
  const command = parseTokenArgs(args);
  const issuer = devTokenIssuer();
  if (command.kind === 'public-key') {
    // One line, new lines escaped: what a .env file holds (the services read `\n` back as new lines).
    console.log(`AUTH_JWT_PUBLIC_KEY=${issuer.publicKeyPem.replace(/\n/g, '\\n')}`);
    return;
  }
  const subject = command.admin ? { admin: command.sub } : { customer: command.sub };
  console.log(await issuer.mint(subject, { ttlSeconds: command.ttlSeconds }));
  console.error(
    `(${command.admin ? 'admin' : 'customer'} ${command.sub}, ${command.ttlSeconds} s, key ${devKeyFile()})`,
  );
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  });
}
