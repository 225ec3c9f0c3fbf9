/**
 * A countdown for every wait over 2 s (walk test up to 120 s per device, config apply up to 60 s):
 * a technician in a hurry must see that something is moving and how long it may take. On a terminal
 * one line is redrawn in place (\r, erase to end of line) and erased when done; in a pipe or a log,
 * where \r would pile up, a plain line every SPARSE_S seconds.
 */
export interface Progress {
  /** Redraws (terminal) or prints when due (pipe); cheap to call on every poll. */
  tick(now?: number): void;
  /** Erases the terminal line; the caller prints the outcome after it. */
  done(): void;
}

export const SPARSE_S = 15;
/** Waits shorter than this show nothing: the outcome comes before anyone wonders. */
export const SHOW_AFTER_MS = 2000;

export function startProgress(stream: NodeJS.WriteStream, deadline: number, line: (secondsLeft: number) => string, now = Date.now()): Progress {
  const tty = stream.isTTY === true;
  const started = now;
  let lastShown: number | null = null;
  let drawn = false;
  return {
    tick(at = Date.now()) {
      if (at - started < SHOW_AFTER_MS) return;
      const left = Math.max(0, Math.ceil((deadline - at) / 1000));
      if (tty) {
        if (lastShown === left) return;
        stream.write(`\r\u001b[K${line(left)}`);
        drawn = true;
      } else {
        if (lastShown !== null && lastShown - left < SPARSE_S) return;
        stream.write(`${line(left)}\n`);
      }
      lastShown = left;
    },
    done() {
      if (tty && drawn) stream.write('\r\u001b[K');
      drawn = false;
    },
  };
}
