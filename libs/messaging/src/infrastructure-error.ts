/**
 * Whether an error says the database (or the network to it) is unavailable, rather than that this
 * record cannot be applied: a lost or refused connection, a server shutting down, too many
 * connections, a pool timeout, a transaction whose connection was lost, a serialization failure or a
 * deadlock. Such a failure is retried for as
 * long as it lasts — it must never send a good record to the dead-letter topic, where later events of
 * the same order would overtake it.
 */
export function isInfrastructureError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') {
    // 08: connection exception; 57P: operator intervention (shutdown); 53300: too many connections;
    // 40001 / 40P01: serialization failure / deadlock; ECONN*/ETIMEDOUT/EPIPE: the socket.
    if (
      /^(08|57P)/.test(code) ||
      ['53300', '40001', '40P01', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(code)
    ) {
      return true;
    }
  }
  // TypeORM's QueryRunner(Provider)AlreadyReleasedError: the connection was lost under the transaction.
  if (/^QueryRunner(Provider)?AlreadyReleasedError$/.test((error as Error | undefined)?.name ?? ''))
    return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
    message,
  );
}

/** Nest's RPC layer may hand over `{ status, message }` objects instead of errors: make them errors. */
export function asError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  const message = (thrown as { message?: unknown } | undefined)?.message;
  return new Error(typeof message === 'string' ? message : JSON.stringify(thrown));
}
