import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP relay on 127.0.0.1 that holds every chunk the client sends for `upMs` before passing it on
 * (in order); the answers come back at once. Stands in for a slow uplink, so that what a test
 * relies on happening "at once" (e.g. the broker seeing the hub's SUBSCRIBE) visibly does not.
 */
export interface SlowLink {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

export async function startSlowLink(targetPort: number, upMs: number): Promise<SlowLink> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => { sockets.delete(s); client.destroy(); upstream.destroy(); });
    }
    client.on('data', (chunk: Buffer) => { setTimeout(() => upstream.write(chunk), upMs); });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
