import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy between the daemon and its broker that plays a bad network: `pass` forwards, `delay`
 * holds every chunk for `delayMs` (a congested uplink), `blackhole` keeps the connections open but
 * swallows every byte both ways (a NAT that lost its mapping: no RST, nothing, until keepalive
 * notices), and `cut()` resets every open connection at once (mid-publish, when traffic flows).
 * New connections in `blackhole` are accepted and swallowed too, as a dead route would look.
 */
export type ProxyMode = 'pass' | 'delay' | 'blackhole';

export interface TcpProxy {
  readonly port: number;
  readonly url: string;
  mode(m: ProxyMode, delayMs?: number): void;
  /** Destroys every open connection (both sides); returns how many there were. */
  cut(): number;
  /** Bytes forwarded daemon -> broker so far (a cut "mid-publish" waits for these to grow). */
  readonly bytesUp: number;
  readonly connections: number;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let mode: ProxyMode = 'pass';
  let delayMs = 0;
  let bytesUp = 0;
  const pairs = new Set<[Socket, Socket]>();
  const forward = (from: Socket, to: Socket, up: boolean): void => {
    from.on('data', (chunk: Buffer) => {
      if (mode === 'blackhole') return;
      if (up) bytesUp += chunk.length;
      if (mode === 'delay') setTimeout(() => { if (!to.destroyed) to.write(chunk); }, delayMs);
      else if (!to.destroyed) to.write(chunk);
    });
  };
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const end = () => { pairs.delete(pair); client.destroy(); upstream.destroy(); };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    forward(client, upstream, true);
    forward(upstream, client, false);
  });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', resolve); });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    mode(m, ms = 0) { mode = m; delayMs = ms; },
    cut() {
      const n = pairs.size;
      for (const [a, b] of [...pairs]) { a.resetAndDestroy(); b.resetAndDestroy(); }
      pairs.clear();
      return n;
    },
    get bytesUp() { return bytesUp; },
    get connections() { return pairs.size; },
    close: () => new Promise<void>((resolve) => {
      for (const [a, b] of pairs) { a.destroy(); b.destroy(); }
      server.close(() => resolve());
    }),
  };
}
