import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';

/**
 * A local HTTPS server standing in for the district's package host (node:https, with a certificate
 * from the test CA of tests/helpers/tls.ts). It serves byte ranges (HTTP Range, 206), and each file
 * can misbehave in one way: `cutAt` drops the connection after that many bytes of the first response
 * (then serves normally), `holdAt` sends that many bytes and then nothing, holding the connection.
 * Every request is recorded with its Range header.
 */
export interface PackageFile {
  body: Buffer;
  cutAt?: number;
  holdAt?: number;
}

export interface PackageServer {
  readonly port: number;
  url(name: string): string;
  put(name: string, file: PackageFile): void;
  readonly requests: Array<{ path: string; range: string | null; status: number }>;
  close(): Promise<void>;
}

export async function startPackageServer(tls: { cert: string; key: string }): Promise<PackageServer> {
  const files = new Map<string, PackageFile>();
  const requests: PackageServer['requests'] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer({ cert: readFileSync(tls.cert), key: readFileSync(tls.key) }, (req, res) => {
    const name = decodeURIComponent((req.url ?? '/').replace(/^\/pkg\//, ''));
    const f = files.get(name);
    const range = req.headers.range ?? null;
    if (!f) {
      requests.push({ path: req.url ?? '', range, status: 404 });
      res.writeHead(404).end();
      return;
    }
    const m = range ? /^bytes=(\d+)-$/.exec(range) : null;
    const from = m ? Number(m[1]) : 0;
    const status = m ? 206 : 200;
    requests.push({ path: req.url ?? '', range, status });
    const headers: Record<string, string | number> = { 'Content-Length': f.body.length - from, 'Content-Type': 'application/vnd.debian.binary-package' };
    if (status === 206) headers['Content-Range'] = `bytes ${from}-${f.body.length - 1}/${f.body.length}`;
    res.writeHead(status, headers);
    const rest = f.body.subarray(from);
    if (f.cutAt !== undefined && from < f.cutAt) {
      const cut = f.cutAt;
      delete f.cutAt; // once
      res.write(rest.subarray(0, cut - from), () => setTimeout(() => req.socket.destroy(), 100));
      return;
    }
    if (f.holdAt !== undefined && from < f.holdAt) {
      res.write(rest.subarray(0, f.holdAt - from)); // and nothing more: the connection stays open
      return;
    }
    res.end(rest);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    port,
    url: (name) => `https://127.0.0.1:${port}/pkg/${encodeURIComponent(name)}`,
    put: (name, file) => files.set(name, file),
    requests,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
