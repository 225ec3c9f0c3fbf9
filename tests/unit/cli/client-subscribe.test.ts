/**
 * anjuctl's subscribe() (src/cli/client.ts) resolves when the daemon confirmed the subscription,
 * not at connect: `events tail` and `live` say "waiting" only once nothing can go by unseen, and a
 * caller may stop() from its first message even when the confirmation and the first messages
 * arrive in one chunk. A fake control socket stands in for the daemon.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ControlError, subscribe } from '../../../src/cli/client.js';
import { wordedIn } from '../../../src/cli/i18n.js';

describe('control socket subscribe()', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-sub-'));
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  afterAll(async () => {
    for (const c of sockets) c.destroy();
    for (const s of servers) await new Promise((r) => s.close(r));
    rmSync(dir, { recursive: true, force: true });
  });
  /** A fake daemon: hands each connection's first request line to `onRequest`. */
  async function fakeDaemon(name: string, onRequest: (socket: Socket, line: string) => void): Promise<string> {
    const path = join(dir, name);
    const server = createServer((socket) => {
      sockets.add(socket);
      let buf = '';
      socket.on('data', (d) => {
        buf += d.toString();
        const nl = buf.indexOf('\n');
        if (nl >= 0) onRequest(socket, buf.slice(0, nl));
      });
      socket.on('error', () => undefined);
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(path, () => r()));
    return path;
  }

  it('resolves only once the daemon confirmed it', async () => {
    let confirm: (() => void) | null = null;
    const path = await fakeDaemon('slow.sock', (socket, line) => {
      expect(JSON.parse(line)).toMatchObject({ id: 1, cmd: 'subscribe', args: { events: true } });
      confirm = () => socket.write('{"id":1,"ok":true}\n');
    });
    let settled = false;
    const p = subscribe(path, { events: true }, () => undefined).finally(() => { settled = true; });
    const deadline = Date.now() + 5000;
    while (confirm === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(confirm, 'the request reached the fake daemon').not.toBeNull();
    await new Promise((r) => setTimeout(r, 100));
    expect(settled, 'resolved before the daemon confirmed').toBe(false);
    confirm!();
    const sub = await p;
    sub.stop();
  });

  it('hands over messages that came with the confirmation only once the caller holds the handle', async () => {
    const path = await fakeDaemon('burst.sock', (socket) => {
      socket.write('{"id":1,"ok":true}\n{"stream":"event","data":{"seq":1}}\n{"stream":"event","data":{"seq":2}}\n');
    });
    const seen: unknown[] = [];
    const handleAtFirst: unknown[] = [];
    const sub: { stop(): void; closed: Promise<void> } = await subscribe(path, { events: true }, (...m) => {
      if (seen.length === 0) handleAtFirst.push(sub); // events tail calls sub.stop() from here after --count
      if (m[0] === 'event') seen.push(m[1].seq);
    });
    await new Promise((r) => setTimeout(r, 50));
    sub.stop();
    expect(handleAtFirst).toEqual([sub]);
    expect(seen).toEqual([1, 2]);
  });

  it('rejects when the daemon refuses the subscription', async () => {
    const path = await fakeDaemon('refuse.sock', (socket) => socket.write('{"id":1,"ok":false,"code":"ANJU_CMD_UNKNOWN","message":"unknown command"}\n'));
    const err = await subscribe(path, { events: true }, () => undefined).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ControlError);
    expect((err as ControlError).message).toBe('subscribe refused: ANJU_CMD_UNKNOWN: unknown command');
    // anjuctl prints it in the reader's language (context.ts run), the code kept.
    expect(wordedIn('zh', err as ControlError)).toBe('订阅被拒绝：ANJU_CMD_UNKNOWN：unknown command');
  });
});
