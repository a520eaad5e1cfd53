import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** A prerequisite that is missing: the message says what and how to get it. */
export class PrerequisiteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrerequisiteError';
  }
}

/** The java binary: `$JAVA_HOME/bin/java` when JAVA_HOME is set, else `java` on PATH. */
export function javaCommand(env: NodeJS.ProcessEnv = process.env): string {
  return env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', 'java') : 'java';
}

/** Parses the major version from `java -version` output ("17.0.15" → 17, "1.8.0_392" → 8). */
export function javaMajorVersion(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) {
    return undefined;
  }
  const major = Number(match[1]);
  return major === 1 ? Number(match[2]) : major;
}

/** Fails with a clear message unless Java 17 or newer runs. */
export function requireJava(env: NodeJS.ProcessEnv = process.env): void {
  const java = javaCommand(env);
  const result = spawnSync(java, ['-version'], { encoding: 'utf8', env });
  if (result.error || result.status !== 0) {
    throw new PrerequisiteError(
      `Java 17 or newer is needed to run the Kafka broker, but \`${java}\` could not be run` +
        ` (${result.error?.message ?? `exit ${result.status}`}).\n` +
        '  Install it (Debian/Ubuntu: apt-get install openjdk-17-jre-headless; macOS: brew install openjdk@17)\n' +
        '  or set JAVA_HOME, or run the infrastructure with Docker instead: docker compose up -d',
    );
  }
  const major = javaMajorVersion(`${result.stderr}${result.stdout}`);
  if (major === undefined || major < 17) {
    throw new PrerequisiteError(
      `Java 17 or newer is needed to run the Kafka broker; \`${java}\` is version ${major ?? 'unknown'}.\n` +
        '  Install a newer JDK and put it first on PATH, or point JAVA_HOME at it.',
    );
  }
}

/** Fails with a clear message unless Maven runs (needed once, to fetch the Kafka jars). */
export function requireMaven(env: NodeJS.ProcessEnv = process.env): void {
  const result = spawnSync('mvn', ['--version'], { encoding: 'utf8', env });
  if (result.error || result.status !== 0) {
    throw new PrerequisiteError(
      'Maven is needed once to fetch the Apache Kafka jars from Maven Central, but `mvn` could not be run' +
        ` (${result.error?.message ?? `exit ${result.status}`}).\n` +
        '  Install it (Debian/Ubuntu: apt-get install maven; macOS: brew install maven)\n' +
        '  or run the infrastructure with Docker instead: docker compose up -d',
    );
  }
}
