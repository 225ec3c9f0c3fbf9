import type { Readable } from 'node:stream';

/** Calls `onLine` with every complete line a child process writes (partial lines wait for the rest). */
export function onLines(stream: Readable, onLine: (line: string) => void): void {
  let buf = '';
  stream.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      onLine(line);
    }
  });
}
