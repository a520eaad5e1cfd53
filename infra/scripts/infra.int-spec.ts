import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { allTopics } from '@saga/contracts';
import { Client } from 'pg';
import { freePort, postgresServerUrl } from '@saga/test-kit';
import { isAlive } from './processes';

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const TSX_CLI = require.resolve('tsx/cli');
const SCRIPT = join(__dirname, 'infra.ts');

/** Runs `infra.ts <command>` as `npm run infra:<command>` does, with the given environment. */
function runInfra(command: string, env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TSX_CLI, SCRIPT, command], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const privateEnvs: NodeJS.ProcessEnv[] = [];
const extraFolders: string[] = [];

/**
 * A private broker: its own state folder and ports, so the shared broker is never touched. The databases
 * go to the test run's server (`DATABASE_URL`), unless `extra` says otherwise (`DATABASE_URL: undefined`
 * and a `PGPORT`: a PostgreSQL cluster of the folder's own).
 */
async function privateBrokerEnv(
  extra: NodeJS.ProcessEnv = {},
): Promise<NodeJS.ProcessEnv & { SAGA_LOCAL_DIR: string }> {
  const {
    DATABASE_URL: _db,
    KAFKA_BROKERS: _brokers,
    PGHOST: _host,
    PGPORT: _port,
    ...inherited
  } = process.env;
  const env = {
    ...inherited,
    DATABASE_URL: postgresServerUrl(),
    SAGA_LOCAL_DIR: mkdtempSync(join(tmpdir(), 'saga-infra-')),
    KAFKA_PORT: String(await freePort()),
    KAFKA_CONTROLLER_PORT: String(await freePort()),
    KAFKA_HEAP: '256m',
    ...extra,
  };
  privateEnvs.push(env);
  return env;
}

/** Runs `sql` on database `database` of the PostgreSQL on 127.0.0.1:`port`, as postgres. */
async function query<T>(port: string, sql: string, database = 'postgres'): Promise<T[]> {
  const client = new Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/${database}` });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

function startedPid(output: string): number {
  const match = /Kafka starting \(pid (\d+)\)/.exec(output);
  if (!match) {
    throw new Error(`no "Kafka starting (pid N)" line in:\n${output}`);
  }
  return Number(match[1]);
}

/** A folder holding only a link to the real `java`, to stand for a PATH without Maven. */
function pathWithJavaOnly(): string {
  const which = spawnSync('sh', ['-c', 'command -v java'], { encoding: 'utf8' });
  const bin = mkdtempSync(join(tmpdir(), 'saga-bin-'));
  symlinkSync(realpathSync(which.stdout.trim()), join(bin, 'java'));
  extraFolders.push(bin);
  return bin;
}

describe('infra CLI (real broker processes)', () => {
  // A failed test must not leave its private broker running: stop it, then delete its folder.
  afterEach(async () => {
    const envs = privateEnvs.splice(0);
    await Promise.all(envs.map((env) => runInfra('down', env)));
    envs.forEach((env) => rmSync(env.SAGA_LOCAL_DIR!, { recursive: true, force: true }));
    extraFolders.splice(0).forEach((folder) => rmSync(folder, { recursive: true, force: true }));
  });

  it('starts a broker, says so on a second up, reports status, and leaves nothing running after down', async () => {
    // Arrange
    const env = await privateBrokerEnv();
    const pidFile = join(env.SAGA_LOCAL_DIR, 'kafka', 'kafka.pid');

    // Act
    const first = await runInfra('up', env);
    const second = await runInfra('up', env);
    const status = await runInfra('status', env);
    const pid = startedPid(first.stdout);
    const admin = new Kafka({ brokers: [`127.0.0.1:${env.KAFKA_PORT}`], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const topics = await admin.listTopics();
    await admin.disconnect();
    const down = await runInfra('down', env);

    // Assert
    expect(first).toMatchObject({ code: 0 });
    expect(first.stdout).toContain(`Kafka is ready on 127.0.0.1:${env.KAFKA_PORT}`);
    expect(topics).toEqual(expect.arrayContaining(allTopics().map((topic) => topic.name)));
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`Kafka is already running (pid ${pid})`);
    expect(second.stdout).not.toContain('Kafka starting');
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/Kafka .* answers \(pid \d+\)/);
    expect(down.code).toBe(0);
    expect(down.stdout).toMatch(new RegExp(`Kafka \\(pid ${pid}, 127\\.0\\.0\\.1:\\d+\\) stopped`));
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(pidFile)).toBe(false);
  });

  it('starts one broker and one PostgreSQL when two up commands race, and both report them ready', async () => {
    // Arrange
    const env = await privateBrokerEnv({ DATABASE_URL: undefined, PGPORT: String(await freePort()) });

    // Act
    const [a, b] = await Promise.all([runInfra('up', env), runInfra('up', env)]);
    const starts = [a, b].filter((result) => result.stdout.includes('Kafka starting'));
    const postgresStarts = [a, b].filter((result) => result.stdout.includes('PostgreSQL started'));
    const postgresPid = /PostgreSQL started \(pid (\d+)\)/.exec(postgresStarts[0]?.stdout ?? '')?.[1];

    // Assert
    expect({ codes: [a.code, b.code], stderr: [a.stderr, b.stderr] }).toEqual({
      codes: [0, 0],
      stderr: ['', ''],
    });
    expect(starts).toHaveLength(1);
    expect(`${a.stdout}${b.stdout}`).toContain(
      `Kafka is already running (pid ${startedPid(starts[0].stdout)})`,
    );
    expect(postgresStarts).toHaveLength(1);
    expect(`${a.stdout}${b.stdout}`).toContain(`PostgreSQL is already running (pid ${postgresPid})`);
  });

  it('never signals a process that merely has the pid of a stale pid file', async () => {
    // Arrange: the pid file names a live process that is not a broker (as after a reboot).
    const env = await privateBrokerEnv();
    const bystander = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    mkdirSync(join(env.SAGA_LOCAL_DIR, 'kafka'), { recursive: true });
    writeFileSync(join(env.SAGA_LOCAL_DIR, 'kafka', 'kafka.pid'), String(bystander.pid));

    // Act
    const down = await runInfra('down', env);
    const status = await runInfra('status', env);
    const stillAlive = isAlive(bystander.pid!);
    bystander.kill();

    // Assert
    expect(down.stdout).toContain('nothing to stop');
    expect(status.stdout).toContain('not started by these scripts');
    expect(stillAlive).toBe(true);
  });

  it('stops the broker and prints the end of its log when it does not answer in time', async () => {
    // Arrange
    const env = await privateBrokerEnv({ KAFKA_START_TIMEOUT_MS: '300' });

    // Act
    const result = await runInfra('up', env);

    // Assert
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /Kafka did not answer on 127\.0\.0\.1:\d+ within 300 ms and was stopped\. The end of its log:/,
    );
    expect(result.stderr).toMatch(/--- .*\.log \(last \d+ lines\) ---|\(the broker wrote no log yet\)/);
    expect(isAlive(startedPid(result.stdout))).toBe(false);
    expect(existsSync(join(env.SAGA_LOCAL_DIR, 'kafka', 'kafka.pid'))).toBe(false);
  });

  it('reports a broker that dies during start-up with its log, leaving nothing running', async () => {
    // Arrange: something else holds the broker's port.
    const env = await privateBrokerEnv();
    const squatter: Server = createServer();
    await new Promise<void>((resolve) =>
      squatter.listen(Number(env.KAFKA_CONTROLLER_PORT), '127.0.0.1', resolve),
    );

    // Act
    const result = await runInfra('up', env).finally(() => squatter.close());

    // Assert
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Kafka \(127\.0\.0\.1:\d+\) exited during start-up/);
    expect(result.stderr).toMatch(/Address already in use|BindException/);
    expect(isAlive(startedPid(result.stdout))).toBe(false);
  });

  it('names Java and how to get it when java is missing, and starts nothing', async () => {
    // Arrange
    const env = await privateBrokerEnv({ PATH: '/nonexistent', JAVA_HOME: '' });

    // Act
    const result = await runInfra('up', env);

    // Assert
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Java 17 or newer is needed to run the Kafka broker');
    expect(result.stderr).toContain('apt-get install openjdk-17-jre-headless');
    expect(result.stdout).not.toContain('Kafka starting');
    expect(existsSync(join(env.SAGA_LOCAL_DIR, 'kafka'))).toBe(false);
  });

  it('names Maven when the jars still have to be fetched and mvn is missing', async () => {
    // Arrange
    const bin = pathWithJavaOnly();
    const env = await privateBrokerEnv({ PATH: bin, JAVA_HOME: '' });
    env.KAFKA_LIB_DIR = join(env.SAGA_LOCAL_DIR, 'no-jars-yet');
    mkdirSync(env.KAFKA_LIB_DIR);

    // Act
    const result = await runInfra('up', env);

    // Assert
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Maven is needed once to fetch the Apache Kafka jars');
    expect(result.stdout).not.toContain('Kafka starting');
  });

  it('names the PostgreSQL server it cannot reach, and starts nothing', async () => {
    // Arrange
    const port = await freePort();
    const env = await privateBrokerEnv({ DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/postgres` });

    // Act
    const result = await runInfra('up', env);

    // Assert
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `PostgreSQL is not reachable at postgres://postgres@127.0.0.1:${port}/postgres`,
    );
    expect(result.stdout).not.toContain('Kafka starting');
  });
  it("runs the checkout's own PostgreSQL with logical replication, keeps its data over down and up, and reset forgets it with the log", async () => {
    // Arrange
    const env = await privateBrokerEnv({ DATABASE_URL: undefined, PGPORT: String(await freePort()) });
    const port = env.PGPORT!;
    const dataDir = join(env.SAGA_LOCAL_DIR, 'postgres', 'data');

    // Act
    const first = await runInfra('up', env);
    const pid = Number(/PostgreSQL started \(pid (\d+)\)/.exec(first.stdout)?.[1]);
    const settings = await query<{ name: string; setting: string; unit: string | null }>(
      port,
      "SELECT name, setting, unit FROM pg_settings WHERE name IN ('wal_level', 'max_slot_wal_keep_size') ORDER BY name",
    );
    await query(port, 'CREATE TABLE kept (id int); INSERT INTO kept VALUES (7)', 'order_service');
    const second = await runInfra('up', env);
    const status = await runInfra('status', env);
    const down = await runInfra('down', env);
    const stoppedAfterDown = !isAlive(pid);
    const again = await runInfra('up', env);
    const kept = await query<{ id: number }>(port, 'SELECT id FROM kept', 'order_service');
    const reset = await runInfra('reset', env);

    // Assert
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
    expect(first.stdout).toMatch(
      new RegExp(`PostgreSQL started \\(pid ${pid}\\) on 127\\.0\\.0\\.1:${port}, a new cluster`),
    );
    expect(settings).toEqual([
      { name: 'max_slot_wal_keep_size', setting: '2048', unit: 'MB' },
      { name: 'wal_level', setting: 'logical', unit: null },
    ]);
    expect(first.stdout).toContain(
      'created order_service, payment_service, inventory_service, notification_service',
    );
    expect(second.stdout).toContain(`PostgreSQL is already running (pid ${pid})`);
    expect(status.stdout).toContain(`answers (pid ${pid}, data in ${join(env.SAGA_LOCAL_DIR, 'postgres')})`);
    expect(down.stdout).toMatch(new RegExp(`PostgreSQL \\(pid ${pid}, 127\\.0\\.0\\.1:${port}\\) stopped`));
    expect(stoppedAfterDown).toBe(true);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/PostgreSQL started \(pid \d+\)/);
    expect(again.stdout).not.toContain('a new cluster');
    expect(kept).toEqual([{ id: 7 }]);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain(`Deleted ${join(env.SAGA_LOCAL_DIR, 'postgres')}`);
    expect(reset.stdout).toContain(`Deleted ${join(env.SAGA_LOCAL_DIR, 'kafka', 'data')}`);
    expect(existsSync(dataDir)).toBe(false);
    expect(existsSync(join(env.SAGA_LOCAL_DIR, 'kafka', 'data'))).toBe(false);
  });

  it("uses a PostgreSQL that answers on its port but is another checkout's, and never stops it", async () => {
    // Arrange: checkout A runs its cluster; checkout B has its own folder and the same ports.
    const a = await privateBrokerEnv({ DATABASE_URL: undefined, PGPORT: String(await freePort()) });
    const b = await privateBrokerEnv({
      DATABASE_URL: undefined,
      PGPORT: a.PGPORT,
      KAFKA_PORT: a.KAFKA_PORT,
      KAFKA_CONTROLLER_PORT: a.KAFKA_CONTROLLER_PORT,
    });
    const upA = await runInfra('up', a);
    const pid = Number(/PostgreSQL started \(pid (\d+)\)/.exec(upA.stdout)?.[1]);

    // Act
    const upB = await runInfra('up', b);
    const downB = await runInfra('down', b);
    const answersAfter = await query<{ one: number }>(a.PGPORT!, 'SELECT 1 AS one');

    // Assert
    expect(upB.code).toBe(0);
    expect(upB.stdout).toContain(
      `A PostgreSQL not started from this checkout already answers on 127.0.0.1:${a.PGPORT}; using it`,
    );
    expect(upB.stdout).not.toContain('PostgreSQL started');
    expect(downB.stdout).toContain("PostgreSQL: this checkout's is not running; nothing to stop.");
    expect(isAlive(pid)).toBe(true);
    expect(answersAfter).toEqual([{ one: 1 }]);
  });
});
