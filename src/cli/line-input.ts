import { createInterface, type Interface } from 'node:readline';

/**
 * The technician's answers, one line at a time, from stdin: a person at a terminal or a script
 * piping "\n" and "s\n" (how the walk test is driven in CI). Lines typed before they are asked for
 * are queued, not lost; at end of input every further question gets `null` ("no answer"), so a
 * walk test run with </dev/null proceeds instead of hanging.
 */
export interface LineInput {
  /** The next line (trimmed), or null once stdin has ended. */
  next(): Promise<string | null>;
  /** A line if one is queued already, else undefined; never waits. */
  poll(): string | null | undefined;
  close(): void;
}

export function createLineInput(input: NodeJS.ReadableStream = process.stdin): LineInput {
  const queue: string[] = [];
  const waiters: Array<(l: string | null) => void> = [];
  let ended = false;
  const rl: Interface = createInterface({ input, terminal: false });
  rl.on('line', (line) => {
    const w = waiters.shift();
    if (w) w(line.trim());
    else queue.push(line.trim());
  });
  rl.on('close', () => {
    ended = true;
    for (const w of waiters.splice(0)) w(null);
  });
  return {
    next() {
      if (queue.length > 0) return Promise.resolve(queue.shift()!);
      if (ended) return Promise.resolve(null);
      return new Promise((r) => waiters.push(r));
    },
    poll() {
      if (queue.length > 0) return queue.shift()!;
      return ended ? null : undefined;
    },
    close() {
      rl.close();
      (input as NodeJS.ReadStream).pause?.();
    },
  };
}
