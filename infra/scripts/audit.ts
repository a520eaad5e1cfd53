/**
 * `npm run audit`: checks docs/design.md's invariants across the four services' databases, the Kafka log and
 * (when the demo's SMTP sink saved them) the e-mails sent. Prints each violation with its order id and
 * exits 1 if there is any. Run it on a quiet platform: an order still in flight counts as unsettled.
 *
 *   npm run audit [-- --prefix <KAFKA_TOPIC_PREFIX>] [--mail-dir <folder of .eml files>] [--no-kafka]
 *
 * Databases: `<service>_service` on the server of `DATABASE_URL` (or PG* variables); brokers: `KAFKA_BROKERS`.
 */
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SERVICE_NAMES, type ServiceName } from '@saga/contracts';
import { databaseName } from '@saga/platform';
import { databaseUrl, postgresServerUrl, testKafka } from '@saga/test-kit';
import { auditSaga, type AuditedMail } from '@saga/testing';
import { localDir } from './local-paths';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      prefix: { type: 'string', default: '' },
      'mail-dir': { type: 'string', default: join(localDir(), 'mail') },
      'no-kafka': { type: 'boolean', default: false },
    },
  });
  const server = postgresServerUrl();
  const databases = Object.fromEntries(
    SERVICE_NAMES.map((service) => [service, databaseUrl(server, databaseName(service))]),
  ) as Record<ServiceName, string>;
  const mailDir = values['mail-dir'];
  const mails = existsSync(mailDir) ? await readMails(mailDir) : undefined;
  const report = await auditSaga({
    databases,
    kafka: values['no-kafka'] ? undefined : testKafka('saga-audit'),
    topicPrefix: values.prefix,
    mails,
    groupIds: Object.fromEntries(
      SERVICE_NAMES.map((service) => [
        service,
        process.env[`${service.toUpperCase()}_GROUP_ID`] ?? `${service}-service`,
      ]),
    ) as Record<ServiceName, string>,
  });
  for (const violation of report.violations) {
    const about = violation.orderId ? `order ${violation.orderId}: ` : '';
    console.log(`[invariant ${violation.invariant}] ${about}${violation.message}`);
  }
  const { orders, customers, skus, records } = report.counted;
  const seen = `${orders} orders, ${customers} accounts, ${skus} SKUs${records === undefined ? '' : `, ${records} records`}${mails ? `, ${mails.length} e-mails` : ''}`;
  console.log(
    report.violations.length === 0
      ? `audit: no violations (${seen})`
      : `audit: ${report.violations.length} violation(s) (${seen})`,
  );
  return report.violations.length === 0 ? 0 : 1;
}

/** The Message-ID and X-Saga-* headers of each `.eml` file the demo's SMTP sink saved. */
async function readMails(dir: string): Promise<AuditedMail[]> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.eml'));
  return Promise.all(
    files.map(async (file) => {
      const raw = await readFile(join(dir, file), 'utf8');
      const head = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
      const headers: Record<string, string> = {};
      for (const line of head.split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      return { messageId: headers['message-id'] ?? file, headers };
    }),
  );
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`audit failed: ${(error as Error)?.message ?? String(error)}`);
    process.exit(2);
  },
);
