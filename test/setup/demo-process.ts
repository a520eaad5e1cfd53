import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PLATFORM_SERVICE_NAMES } from '@saga/contracts';
import { waitFor } from '@saga/common';
import { freePort, type TestDatabase } from '@saga/test-kit';
import { createPlatformTopics, createServiceTestDatabase, deletePlatformTopics } from '@saga/testing';

export const REPO_ROOT = join(__dirname, '..', '..');

/**
 * `npm run demo` as a test runs it: the real script, with ports, databases, topics (a prefix) and a
 * mail folder of its own, so it never touches the shared platform. `start()` resolves once the demo
 * says the platform is up; `stop()` sends Ctrl+C and resolves with the exit code; `remove()` (always,
 * in afterAll) stops it if still running and drops what `start()` made.
 */
export class DemoProcess {
  /** Everything the demo printed so far (stdout and stderr). */
  output = '';
  /** The demo's environment: `ORDER_PORT`, `DEMO_MAIL_DIR`, … */
  readonly env: NodeJS.ProcessEnv = { ...process.env };
  private child?: ChildProcess;
  private exited?: Promise<number | null>;
  private readonly databases: TestDatabase[] = [];
  private readonly topicPrefix: string;

  constructor(private readonly label: string) {
    this.topicPrefix = `e2e-${label}-${process.pid}.`;
  }

  /** The folder the demo's SMTP sink saves e-mails in. */
  get mailDir(): string {
    return this.env.DEMO_MAIL_DIR!;
  }

  /** Starts `npm run demo -- <args>` (say `--chaos`) and resolves once it says the platform is up. */
  async start(args: readonly string[] = []): Promise<void> {
    await createPlatformTopics(this.topicPrefix);
    this.env.KAFKA_TOPIC_PREFIX = this.topicPrefix;
    this.env.SMTP_PORT = String(await freePort());
    this.env.DEMO_CONTROL_PORT = String(await freePort());
    this.env.DEMO_MAIL_DIR = await mkdtemp(join(tmpdir(), `saga-${this.label}-mail-`));
    for (const name of PLATFORM_SERVICE_NAMES) {
      const database = await createServiceTestDatabase(name, `${this.label}_${name}`);
      this.databases.push(database);
      this.env[`${name.toUpperCase()}_PORT`] = String(await freePort());
      this.env[`${name.toUpperCase()}_DATABASE_URL`] = database.serviceUrl;
    }
    const child = spawn(
      process.execPath,
      [require.resolve('tsx/cli'), join(REPO_ROOT, 'infra/scripts/platform.ts'), ...args],
      {
        cwd: REPO_ROOT,
        env: this.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    child.stdout.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    await this.waitForOutput(
      () => this.output.includes('Press Ctrl+C to stop.') || (child.exitCode !== null && this.output),
      100_000,
      'the demo to report the platform up',
    );
  }

  /** The dashboard's link the demo printed (with its admin token). */
  dashboardUrl(): string {
    const url = /Dashboard: (http:\/\/\S+)/.exec(this.output)?.[1];
    if (!url) throw new Error(`the demo printed no dashboard URL\n--- demo output ---\n${this.output}`);
    return url;
  }

  /** {@link waitFor} that shows the demo's output when it times out. */
  async waitForOutput<T>(
    check: () => T | false | undefined | Promise<T | false | undefined>,
    timeoutMs: number,
    what: string,
  ): Promise<T> {
    return waitFor(check, { timeoutMs, what }).catch((error: Error) => {
      throw new Error(`${error.message}\n--- demo output ---\n${this.output}`);
    });
  }

  /** Ctrl+C: resolves with the demo's exit code once it has stopped everything. */
  async stop(): Promise<number | null> {
    if (this.child?.exitCode === null) this.child.kill('SIGINT');
    return (await this.exited) ?? null;
  }

  /** Stops the demo if it still runs (a failed test must not leave it behind), then drops its data. */
  async remove(): Promise<void> {
    if (this.child) await this.stop();
    await Promise.all(this.databases.map((database) => database.drop()));
    await deletePlatformTopics(this.topicPrefix);
    if (this.env.DEMO_MAIL_DIR) await rm(this.env.DEMO_MAIL_DIR, { recursive: true, force: true });
  }
}
