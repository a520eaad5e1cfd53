/** A WAL position (`16/B374D848`) as a number of bytes. */
export function lsnToBigInt(lsn: string): bigint {
  const match = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(lsn);
  if (!match) throw new Error(`not a WAL position: ${lsn}`);
  return (BigInt(`0x${match[1]}`) << 32n) + BigInt(`0x${match[2]}`);
}

/** A number of bytes as a WAL position, as PostgreSQL writes it. */
export function bigIntToLsn(value: bigint): string {
  return `${(value >> 32n).toString(16).toUpperCase()}/${(value & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** Whether WAL position `a` is after `b`. */
export function lsnAfter(a: string, b: string): boolean {
  return lsnToBigInt(a) > lsnToBigInt(b);
}

/**
 * The position to hand to pg-logical-replication's `acknowledge` so that the server is told exactly
 * `lsn`: the library reports the position it is given plus one byte, and a flush position one byte past
 * a commit that ends where the next transaction's commit record starts would skip that transaction.
 */
export function ackArgument(lsn: string): string {
  const value = lsnToBigInt(lsn);
  return bigIntToLsn(value > 0n ? value - 1n : 0n);
}
