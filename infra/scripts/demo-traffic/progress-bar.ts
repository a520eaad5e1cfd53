import type { TrafficProgress } from './run-traffic';

const WIDTH = 30;
/** Without a terminal (CI, a pipe), one plain line this often instead of a redrawn bar. */
const PLAIN_EVERY_S = 5;

/** One line of progress: a bar over the orders placed, then how many settled and failed. */
export function formatProgress(p: TrafficProgress): string {
  const done = p.phase === 'placing' ? p.sent : p.settled;
  const of = p.phase === 'placing' ? p.total : p.placed;
  const filled = of > 0 ? Math.min(WIDTH, Math.round((WIDTH * done) / of)) : WIDTH;
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}]`;
  const counts =
    p.phase === 'placing'
      ? `${done}/${of} sent · ${p.placed} placed · ${p.settled} settled`
      : `${done}/${of} settled`;
  return `${p.phase.padEnd(8)} ${bar} ${counts} · ${p.httpErrors} errors · ${p.elapsedS.toFixed(0)} s`;
}

/**
 * A progress reporter for `stream`: on a terminal one line redrawn in place (`\r`), otherwise a plain
 * line every few seconds and at each change of phase. Call `end()` before printing anything else.
 */
export function progressReporter(stream: NodeJS.WriteStream): {
  update: (progress: TrafficProgress) => void;
  end: () => void;
} {
  let lastPlain = -Infinity;
  let lastPhase = '';
  let drawn = false;
  return {
    update(progress) {
      const line = formatProgress(progress);
      if (stream.isTTY) {
        // Cut to the terminal's width: a wrapped line could not be redrawn with \r.
        stream.write(`\r${line.slice(0, Math.max(20, (stream.columns ?? 120) - 1))}\x1b[K`);
        drawn = true;
      } else if (progress.elapsedS - lastPlain >= PLAIN_EVERY_S || progress.phase !== lastPhase) {
        stream.write(`${line}\n`);
        lastPlain = progress.elapsedS;
        lastPhase = progress.phase;
      }
    },
    end() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
