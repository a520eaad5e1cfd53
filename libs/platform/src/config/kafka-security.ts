import { readFileSync } from 'node:fs';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import { z } from 'zod';
import { parseEnv } from './parse-env';

/**
 * How a Kafka client authenticates and encrypts, in kafkajs terms. Empty when the broker listens in
 * PLAINTEXT (the local broker, `infra:up`).
 */
export type KafkaSecurity = Pick<KafkaConfig, 'sasl' | 'ssl'>;

/** The SASL mechanisms a client may use: SCRAM for production, `plain` only over TLS. */
export const KAFKA_SASL_MECHANISMS = ['scram-sha-256', 'scram-sha-512', 'plain'] as const;

const caFile = z.string().transform((path, ctx) => {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `cannot be read (${(error as NodeJS.ErrnoException).code})` });
    return z.NEVER;
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be a PEM file of CA certificates (-----BEGIN CERTIFICATE-----)',
    });
    return z.NEVER;
  }
  return pem;
});

/**
 * The Kafka security variables, to spread into a configuration schema (the services' and the scripts'
 * share this one definition). Check them with {@link checkKafkaSecurityEnv}, build with {@link kafkaSecurityOf}.
 */
export const kafkaSecurityEnvShape = {
  KAFKA_SASL_MECHANISM: z
    .string()
    .transform((raw) => raw.trim().toLowerCase())
    .pipe(z.enum(KAFKA_SASL_MECHANISMS, { error: 'must be scram-sha-256, scram-sha-512 or plain' }))
    .optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  KAFKA_SSL: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
  /** Read once at startup: the file's PEM text. */
  KAFKA_SSL_CA_FILE: caFile.optional(),
};

/** The parsed Kafka security variables. */
export type KafkaSecurityEnv = z.output<z.ZodObject<typeof kafkaSecurityEnvShape>>;

/** The rules between the variables: a mechanism needs a user and a password, and a CA file needs TLS. */
export function checkKafkaSecurityEnv(env: KafkaSecurityEnv, ctx: z.RefinementCtx<KafkaSecurityEnv>): void {
  const needed = env.KAFKA_SASL_MECHANISM ? 'required when KAFKA_SASL_MECHANISM is set' : undefined;
  const unused = 'is set but KAFKA_SASL_MECHANISM is not';
  for (const name of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const) {
    if (needed && env[name] === undefined) {
      ctx.addIssue({ code: 'custom', path: [name], message: `is ${needed}`, input: undefined });
    } else if (!needed && env[name] !== undefined) {
      ctx.addIssue({ code: 'custom', path: [name], message: unused, input: undefined });
    }
  }
  const tls = env.KAFKA_SSL === 'true' || env.KAFKA_SSL_CA_FILE !== undefined;
  if (env.KAFKA_SASL_MECHANISM === 'plain' && !tls) {
    ctx.addIssue({
      code: 'custom',
      path: ['KAFKA_SASL_MECHANISM'],
      message:
        'plain sends the password in clear: use it only with TLS (KAFKA_SSL=true or KAFKA_SSL_CA_FILE)',
      input: undefined,
    });
  }
  if (env.KAFKA_SSL_CA_FILE !== undefined && env.KAFKA_SSL === 'false') {
    ctx.addIssue({
      code: 'custom',
      path: ['KAFKA_SSL'],
      message: 'is false but KAFKA_SSL_CA_FILE is set (a CA file means TLS)',
      input: undefined,
    });
  }
}

/**
 * The kafkajs `sasl`/`ssl` settings of checked variables, or undefined for a PLAINTEXT broker. A CA
 * file turns TLS on and replaces the system's trusted CAs for the broker's certificate.
 */
export function kafkaSecurityOf(env: KafkaSecurityEnv): KafkaSecurity | undefined {
  const {
    KAFKA_SASL_MECHANISM: mechanism,
    KAFKA_SASL_USERNAME: username,
    KAFKA_SASL_PASSWORD: password,
  } = env;
  // Each of the three mechanisms takes exactly a username and a password; kafkajs types them one by one.
  const sasl =
    mechanism && username && password ? ({ mechanism, username, password } as SASLOptions) : undefined;
  const ssl = env.KAFKA_SSL_CA_FILE ? { ca: [env.KAFKA_SSL_CA_FILE] } : env.KAFKA_SSL === 'true';
  if (!sasl && !ssl) return undefined;
  return { ...(sasl ? { sasl } : {}), ...(ssl ? { ssl } : {}) };
}

const kafkaSecurityEnv = z
  .object(kafkaSecurityEnvShape)
  .superRefine(checkKafkaSecurityEnv)
  .transform((env) => kafkaSecurityOf(env) ?? {});

/**
 * Reads the Kafka security variables (`KAFKA_SASL_MECHANISM`, `KAFKA_SASL_USERNAME`,
 * `KAFKA_SASL_PASSWORD`, `KAFKA_SSL`, `KAFKA_SSL_CA_FILE`) for a script's kafkajs client, to spread into
 * its config. Throws a {@link ConfigError} naming each bad variable, the password never shown.
 */
export function kafkaSecurityFromEnv(env: Record<string, string | undefined> = process.env): KafkaSecurity {
  return parseEnv(kafkaSecurityEnv, env);
}
