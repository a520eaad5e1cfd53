import { SentRowsMarker } from './sent-rows-marker';

describe('SentRowsMarker', () => {
  /** A marker whose deletes wait for `release` (when given), recording what it did in order. */
  function marker(options: { failDelete?: boolean; delayMs?: number } = {}) {
    const done: string[] = [];
    const failures: string[] = [];
    let release: (() => void) | undefined;
    const instance = new SentRowsMarker({
      delete: async (ids) => {
        done.push(`delete ${ids.join(',')}`);
        await new Promise<void>((resolve) => (release = resolve));
        if (options.failDelete) throw new Error('connection lost');
      },
      confirm: (lsn, batches) => done.push(`confirm ${lsn} (${batches})`),
      delayMs: options.delayMs ?? 0,
      maxPendingRows: 100,
      onFailure: (error) => failures.push(error.message),
    });
    return { instance, done, failures, release: () => release?.() };
  }

  it('deletes a batch before it confirms its position, and shares one delete among batches sent meanwhile', async () => {
    // Arrange
    const { instance, done, release } = marker();

    // Act: the first batch's delete is in flight while two more are sent
    await instance.add(['1', '2'], '0/10');
    await new Promise((resolve) => setImmediate(resolve));
    await instance.add(['3'], '0/20');
    await instance.add(['4'], '0/30');
    release();
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await instance.flush();

    // Assert
    expect(done).toEqual(['delete 1,2', 'confirm 0/10 (1)', 'delete 3,4', 'confirm 0/30 (2)']);
  });

  it('never confirms a batch whose delete failed, and reports the failure to the sender', async () => {
    // Arrange
    const { instance, done, failures, release } = marker({ failDelete: true });

    // Act
    await instance.add(['1'], '0/10');
    await new Promise((resolve) => setImmediate(resolve));
    release();
    const flushed = instance.flush();

    // Assert: told at once (the sender may be waiting for more to send), and at its next call
    await expect(flushed).rejects.toThrow('deleting sent outbox rows failed: connection lost');
    expect(failures).toEqual(['deleting sent outbox rows failed: connection lost']);
    await expect(instance.add(['2'], '0/20')).rejects.toThrow('connection lost');
    expect(done).toEqual(['delete 1']);
  });
});
