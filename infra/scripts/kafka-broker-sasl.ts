import type { KafkaSecurity } from '@saga/platform/config/kafka-security';

/** A SCRAM mechanism as the broker names it. */
export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

/** A SCRAM user created when the storage is formatted. */
export interface ScramUser {
  /** Letters, digits, dots, dashes and underscores. */
  readonly name: string;
  /** Same characters as the name: it goes into a JAAS line and the storage tool's `--add-scram`. */
  readonly password: string;
}

/**
 * A client listener that takes SASL/SCRAM instead of PLAINTEXT (a test broker; the controller listener
 * stays PLAINTEXT). The client port then speaks `SASL_PLAINTEXT` and serves inter-broker traffic too.
 */
export interface BrokerSasl {
  /** The mechanisms the listener accepts; the first is the inter-broker one. */
  readonly mechanisms: readonly ScramMechanism[];
  /**
   * Users created for every mechanism at format time. The first is the broker's own (inter-broker)
   * user, and the one these scripts' admin calls (readiness, topics) sign in with.
   */
  readonly users: readonly ScramUser[];
}

const SAFE = /^[\w.-]+$/;

function checked(sasl: BrokerSasl): BrokerSasl {
  if (sasl.mechanisms.length === 0 || sasl.users.length === 0) {
    throw new Error('sasl: expected at least one mechanism and one user');
  }
  for (const user of sasl.users) {
    if (!SAFE.test(user.name) || !SAFE.test(user.password)) {
      throw new Error(`sasl: user ${JSON.stringify(user.name)}: name and password must match ${SAFE}`);
    }
  }
  return sasl;
}

const LISTENER_KEYS = [
  'listeners',
  'advertised.listeners',
  'inter.broker.listener.name',
  'listener.security.protocol.map',
];

/**
 * Rewrites a rendered server.properties so the client port speaks SASL_PLAINTEXT with SCRAM: the
 * template's listener lines are replaced, and the SASL settings appended.
 */
export function withSaslListener(
  properties: string,
  sasl: BrokerSasl,
  ports: { readonly port: number; readonly controllerPort: number },
): string {
  const { mechanisms, users } = checked(sasl);
  const [broker] = users;
  const kept = properties
    .split('\n')
    .filter((line) => !LISTENER_KEYS.some((key) => line.startsWith(`${key}=`)))
    .join('\n');
  const jaas = mechanisms.map(
    (mechanism) =>
      `listener.name.sasl_plaintext.${mechanism.toLowerCase()}.sasl.jaas.config=` +
      `org.apache.kafka.common.security.scram.ScramLoginModule required username="${broker.name}" password="${broker.password}";`,
  );
  return [
    kept.trimEnd(),
    '',
    '# SASL/SCRAM on the client listener (BrokerSettings.sasl); the controller listener stays PLAINTEXT.',
    `listeners=SASL_PLAINTEXT://127.0.0.1:${ports.port},CONTROLLER://127.0.0.1:${ports.controllerPort}`,
    `advertised.listeners=SASL_PLAINTEXT://127.0.0.1:${ports.port}`,
    'inter.broker.listener.name=SASL_PLAINTEXT',
    'listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT',
    `sasl.enabled.mechanisms=${mechanisms.join(',')}`,
    `sasl.mechanism.inter.broker.protocol=${mechanisms[0]}`,
    ...jaas,
    '',
  ].join('\n');
}

/** The storage tool's `--add-scram` arguments: every user for every mechanism. */
export function scramFormatArgs(sasl: BrokerSasl): string[] {
  const { mechanisms, users } = checked(sasl);
  return mechanisms.flatMap((mechanism) =>
    users.flatMap((user) => ['--add-scram', `${mechanism}=[name=${user.name},password=${user.password}]`]),
  );
}

/** What a kafkajs client of these scripts signs in with: the first user, the first mechanism. */
export function saslClientSecurity(sasl: BrokerSasl | undefined): KafkaSecurity {
  if (!sasl) return {};
  const { mechanisms, users } = checked(sasl);
  const credentials = { username: users[0].name, password: users[0].password };
  return {
    sasl:
      mechanisms[0] === 'SCRAM-SHA-256'
        ? { mechanism: 'scram-sha-256', ...credentials }
        : { mechanism: 'scram-sha-512', ...credentials },
  };
}

/** `text` with every password of `sasl` replaced by `***`, for an error message. */
export function redactScram(text: string, sasl: BrokerSasl | undefined): string {
  return (sasl?.users ?? []).reduce((shown, user) => shown.split(user.password).join('***'), text);
}
