/**
 * `npm run dlq -- list <service>` — the records in `<service>.dlq`: id, reason, error, origin.
 * `npm run dlq -- replay <service> [--id <id> …]` — sends them (or the given ones) back to their
 * original topic, `dlq_*` headers removed, for the service to apply again once the cause is fixed.
 * Kafka: `KAFKA_BROKERS` (default 127.0.0.1:9092), with SASL/TLS from `KAFKA_SASL_*` and `KAFKA_SSL*` as
 * the services read them.
 */
import { Kafka, logLevel } from 'kafkajs';
import {
  PLATFORM_SERVICE_NAMES,
  deadLetterTopic,
  isPlatformService,
  type PlatformServiceName,
} from '@saga/contracts';
import { readDeadLetters, replayDeadLetters, type DeadLetter } from '@saga/messaging';
import { kafkaSecurityFromEnv } from '@saga/platform/config/kafka-security';

/** What the command line asks for. */
export interface DlqCommand {
  readonly action: 'list' | 'replay';
  readonly service: PlatformServiceName;
  readonly ids?: string[];
}

const USAGE = 'usage: npm run dlq -- list <service> | replay <service> [--id <partition:offset> …]';

/** Parses `list <service>` / `replay <service> [--id x …]`; throws with the usage on anything else. */
export function parseDlqArgs(args: readonly string[]): DlqCommand {
  const [action, service, ...rest] = args;
  if (action !== 'list' && action !== 'replay') throw new Error(USAGE);
  if (!isPlatformService(service)) {
    throw new Error(
      `unknown service ${JSON.stringify(service)}; one of ${PLATFORM_SERVICE_NAMES.join(', ')}\n${USAGE}`,
    );
  }
  const ids: string[] = [];
  for (let index = 0; index < rest.length; index += 1) {
    if (rest[index] === '--id' && /^\d+:\d+$/.test(rest[index + 1] ?? '') && action === 'replay') {
      ids.push(rest[(index += 1)]);
    } else {
      throw new Error(`unexpected ${JSON.stringify(rest[index])}\n${USAGE}`);
    }
  }
  return { action, service, ...(ids.length ? { ids } : {}) };
}

/** One line per dead letter. */
export function formatDeadLetter(letter: DeadLetter): string {
  const origin = `${letter.originalTopic}/${letter.originalPartition}@${letter.originalOffset}`;
  const event = letter.eventType ? `${letter.eventType} ${letter.eventId}` : '(no ce_type)';
  return `${letter.id.padEnd(8)} ${letter.failedAt}  ${letter.reason.padEnd(18)} ${origin}  ${event}\n         ${letter.error}`;
}

async function main(args: string[]): Promise<number> {
  const command = parseDlqArgs(args);
  const kafka = new Kafka({
    clientId: 'saga-dlq',
    brokers: (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(','),
    ...kafkaSecurityFromEnv(),
    logLevel: logLevel.ERROR,
  });
  const topic = deadLetterTopic(command.service).name;
  if (command.action === 'list') {
    const letters = await readDeadLetters(kafka, topic);
    console.log(`${letters.length} dead letter(s) in ${topic}`);
    letters.forEach((letter) => console.log(formatDeadLetter(letter)));
  } else {
    const replayed = await replayDeadLetters(kafka, topic, command.ids);
    console.log(`replayed ${replayed.length} dead letter(s) from ${topic}`);
    replayed.forEach((letter) => console.log(`  ${letter.id} → ${letter.originalTopic}`));
  }
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(2);
    },
  );
}
