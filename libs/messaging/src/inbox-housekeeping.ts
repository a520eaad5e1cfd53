import type { LoggerService } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { deleteExpiredInbox } from '@saga/inbox';

/** How often expired inbox entries are deleted. */
const EVERY_MS = 5 * 60_000;

/** How long inbox entries are kept by default: 7 days, longer than any redelivery. */
const DEFAULT_RETENTION_MS = 7 * 86400_000;

/**
 * Deletes the inbox entries older than `retentionMs` every 5 minutes (a failure is logged, and tried
 * again next time), on the data source's own pool rather than in a transaction. The timer does not
 * keep the process alive; the returned function stops it.
 */
export function startInboxHousekeeping(
  dataSource: DataSource,
  logger: LoggerService,
  retentionMs: number = DEFAULT_RETENTION_MS,
): () => void {
  const clean = async () => {
    const { master } = dataSource.driver as unknown as { master: Parameters<typeof deleteExpiredInbox>[0] };
    await deleteExpiredInbox(master, { retentionMs }).catch((error: Error) => {
      logger.warn(`inbox cleanup failed: ${error.message}`);
    });
  };
  const timer = setInterval(() => void clean(), EVERY_MS).unref();
  return () => clearInterval(timer);
}
