import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  redactScram,
  saslClientSecurity,
  scramFormatArgs,
  withSaslListener,
  type BrokerSasl,
} from './kafka-broker-sasl';
import { renderServerProperties } from './kafka-broker';
import { REPO_ROOT } from './local-paths';

const sasl: BrokerSasl = {
  mechanisms: ['SCRAM-SHA-256', 'SCRAM-SHA-512'],
  users: [
    { name: 'broker', password: 'b-secret' },
    { name: 'saga', password: 's-secret' },
  ],
};

function rendered(): string {
  const template = readFileSync(join(REPO_ROOT, 'infra', 'kafka', 'server.properties'), 'utf8');
  return renderServerProperties(template, {
    NODE_ID: 1,
    QUORUM_VOTERS: '1@127.0.0.1:9093',
    KAFKA_PORT: 9092,
    CONTROLLER_PORT: 9093,
    DATA_DIR: '/tmp/data',
    REPLICATION_FACTOR: 1,
    MIN_INSYNC_REPLICAS: 1,
  });
}

/** The value of every line `key=…` of a properties text. */
const valuesOf = (properties: string, key: string) =>
  properties
    .split('\n')
    .filter((line) => line.startsWith(`${key}=`))
    .map((line) => line.slice(key.length + 1));

describe('withSaslListener', () => {
  it('replaces the PLAINTEXT client listener with SASL_PLAINTEXT and keeps the controller in PLAINTEXT', () => {
    // Act
    const properties = withSaslListener(rendered(), sasl, { port: 9092, controllerPort: 9093 });

    // Assert
    expect(valuesOf(properties, 'listeners')).toEqual([
      'SASL_PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093',
    ]);
    expect(valuesOf(properties, 'advertised.listeners')).toEqual(['SASL_PLAINTEXT://127.0.0.1:9092']);
    expect(valuesOf(properties, 'inter.broker.listener.name')).toEqual(['SASL_PLAINTEXT']);
    expect(valuesOf(properties, 'listener.security.protocol.map')).toEqual([
      'SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT',
    ]);
    expect(valuesOf(properties, 'sasl.enabled.mechanisms')).toEqual(['SCRAM-SHA-256,SCRAM-SHA-512']);
    expect(valuesOf(properties, 'sasl.mechanism.inter.broker.protocol')).toEqual(['SCRAM-SHA-256']);
    expect(valuesOf(properties, 'auto.create.topics.enable')).toEqual(['false']);
  });

  it("signs the broker in as the first user on every mechanism's listener", () => {
    // Act
    const properties = withSaslListener(rendered(), sasl, { port: 9092, controllerPort: 9093 });

    // Assert
    const jaas =
      'org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="b-secret";';
    expect(valuesOf(properties, 'listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config')).toEqual([
      jaas,
    ]);
    expect(valuesOf(properties, 'listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config')).toEqual([
      jaas,
    ]);
  });

  it('refuses a name or password that would break the JAAS line, and an empty setting', () => {
    const port = { port: 9092, controllerPort: 9093 };
    expect(() =>
      withSaslListener('', { mechanisms: ['SCRAM-SHA-256'], users: [{ name: 'x', password: 'a"b' }] }, port),
    ).toThrow(/user "x": name and password must match/);
    expect(() => scramFormatArgs({ mechanisms: [], users: sasl.users })).toThrow(/at least one mechanism/);
  });
});

describe('scramFormatArgs', () => {
  it('creates every user for every mechanism', () => {
    expect(scramFormatArgs(sasl)).toEqual([
      '--add-scram',
      'SCRAM-SHA-256=[name=broker,password=b-secret]',
      '--add-scram',
      'SCRAM-SHA-256=[name=saga,password=s-secret]',
      '--add-scram',
      'SCRAM-SHA-512=[name=broker,password=b-secret]',
      '--add-scram',
      'SCRAM-SHA-512=[name=saga,password=s-secret]',
    ]);
  });
});

describe('saslClientSecurity', () => {
  it("signs the scripts' clients in as the first user with the first mechanism, or not at all", () => {
    expect(saslClientSecurity(sasl)).toEqual({
      sasl: { mechanism: 'scram-sha-256', username: 'broker', password: 'b-secret' },
    });
    expect(saslClientSecurity({ ...sasl, mechanisms: ['SCRAM-SHA-512'] }).sasl).toMatchObject({
      mechanism: 'scram-sha-512',
    });
    expect(saslClientSecurity(undefined)).toEqual({});
  });
});

describe('redactScram', () => {
  it('hides every password in a failure message', () => {
    expect(redactScram('bad [name=broker,password=b-secret] and s-secret', sasl)).toBe(
      'bad [name=broker,password=***] and ***',
    );
    expect(redactScram('nothing to hide', undefined)).toBe('nothing to hide');
  });
});
