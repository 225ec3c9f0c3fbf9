import { chmodSync, chownSync, lstatSync, mkdirSync, renameSync, rmSync, type Stats } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { ErrorCodes } from '../core/errors.js';
import type { StoredEvent } from '../core/event.js';
import type { Reading } from '../core/reading.js';
import type { CommandDispatcher } from '../uplink/commands.js';
import { parseControlRequest, type SubscribeArgs } from '../control/protocol.js';
import { groupId } from '../core/system-groups.js';

/**
 * The local control socket anjuctl talks to: newline-delimited JSON on a Unix socket, mode 0660
 * (group `anju` when it exists), so only root and the technician's group can command the hub.
 *
 *   request   {"id": 1, "cmd": "get-status", "args": {}}     -> {"id": 1, "ok": true, "data": ...}
 *   stream    {"id": 2, "cmd": "subscribe", "args": {"events": true, "readings": true, "device": "x"}}
 *             -> {"id": 2, "ok": true} then {"stream": "event"|"reading", "data": ...} lines
 *
 * Commands are the same dispatcher the cloud uses (same validation, same error codes), so the CLI
 * and the cloud can never disagree about what a command does; their arguments and replies are typed
 * once, in src/control/protocol.ts (anjuctl's side: src/cli/client.ts). Bad lines get an error, never a crash.
 */
export interface ControlSocket {
  start(): void;
  stop(): Promise<void>;
  /** Fan-out to subscribers; cheap when nobody listens. */
  event(e: StoredEvent): void;
  reading(r: Reading): void;
  readonly hasReadingSubscribers: boolean;
}

interface Sub { socket: Socket; events: boolean; readings: boolean; device: string | null }

const MAX_LINE = 1024 * 1024;

export function createControlSocket(o: { path: string; group: string; commands: CommandDispatcher; log: Logger }): ControlSocket {
  let server: Server | null = null;
  const subs = new Set<Sub>();
  /** Every open connection: stop() closes them, as server.close() alone waits for clients to hang up. */
  const conns = new Set<Socket>();
  let readingSubs = 0;
  const send = (s: Socket, msg: unknown): void => {
    if (!s.destroyed) s.write(`${JSON.stringify(msg)}\n`);
  };

  async function handleLine(socket: Socket, line: string): Promise<void> {
    const parsed = parseControlRequest(line); // hostile until checked; never throws
    if (!parsed.ok) {
      send(socket, parsed.reply);
      return;
    }
    const { req } = parsed;
    const { id } = req;
    if (req.cmd === 'subscribe') {
      const a = (req.args ?? {}) as { [K in keyof SubscribeArgs]?: unknown };
      const sub: Sub = { socket, events: a.events !== false, readings: a.readings === true, device: typeof a.device === 'string' ? a.device : null };
      subs.add(sub);
      if (sub.readings) readingSubs++;
      send(socket, { id, ok: true });
      return;
    }
    const res = await o.commands.handle(req.cmd, Buffer.from(JSON.stringify(req.args ?? {})));
    send(socket, { id, ...res });
  }

  function onConnection(socket: Socket): void {
    conns.add(socket);
    let buf = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buf += chunk;
      if (buf.length > MAX_LINE) {
        send(socket, { id: null, ok: false, code: 'ANJU_CMD_INVALID_ARGS', message: `request longer than ${MAX_LINE} bytes` });
        socket.destroy();
        return;
      }
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        // A rejection here would be unhandled, and an unhandled rejection stops the daemon: a bug
        // of ours answers this line with an error and is logged; the daemon and its alarms go on.
        if (line) handleLine(socket, line).catch((err: unknown) => {
          o.log.error({ err, code: ErrorCodes.CONTROL_SOCKET }, 'control socket: handling a request failed');
          send(socket, { id: null, ok: false, code: 'ANJU_CMD_FAILED', message: 'internal error handling this request' });
        });
      }
    });
    socket.on('error', () => undefined);
    socket.on('end', () => socket.destroy());
    socket.on('close', () => {
      conns.delete(socket);
      for (const s of subs) {
        if (s.socket !== socket) continue;
        subs.delete(s);
        if (s.readings) readingSubs--;
      }
    });
  }

  /** Device and inode of the socket this process made: the only file stop() may remove. */
  let ours: { dev: number; ino: number } | null = null;

  return {
    start() {
      mkdirSync(dirname(o.path), { recursive: true });
      // libuv removes the path a server listened on when it closes, whatever is there by then; so we
      // listen on a name of our own and rename the socket into place. Close then removes only that
      // name (long gone), and stop() removes o.path only while it is still our socket.
      const bound = join(dirname(o.path), `.anjud-${process.pid}`);
      // Only a socket is removed (a stale one from a crash). Anything else at this path (the database,
      // the config file: issue 12, finding 3) stays, and the daemon runs without its control socket:
      // alarms still flow; only anjuctl cannot reach it, and this line says why.
      for (const p of [o.path, bound]) {
        const found = describeExisting(p);
        if (found === 'socket') rmSync(p);
        else if (found !== null) {
          o.log.error({ code: ErrorCodes.CONTROL_SOCKET, path: p, found }, 'control socket path is not a socket: left untouched, and the control socket is not started (anjuctl cannot reach this daemon); set control.socket to a free path');
          return;
        }
      }
      const srv = createServer(onConnection);
      server = srv;
      srv.on('error', (err) => o.log.error({ code: ErrorCodes.CONTROL_SOCKET, err: err.message, path: o.path }, 'control socket error'));
      srv.listen(bound, () => {
        try {
          renameSync(bound, o.path);
          const st = lstatSync(o.path);
          ours = { dev: st.dev, ino: st.ino };
        } catch (err) {
          o.log.error({ code: ErrorCodes.CONTROL_SOCKET, err: (err as Error).message, path: o.path }, 'cannot put the control socket in place; it is not started');
          server = null;
          srv.close();
          return;
        }
        try {
          chmodSync(o.path, 0o660);
          const gid = groupId(o.group);
          if (gid !== null) chownSync(o.path, process.getuid?.() ?? 0, gid);
        } catch (err) {
          o.log.warn({ err: (err as Error).message, path: o.path }, 'cannot set the control socket\'s mode or group');
        }
        o.log.info({ path: o.path }, 'control socket listening');
      });
    },
    async stop() {
      // A client that keeps its connection (answered, but not closed yet: a stuck anjuctl, a test
      // process blocked in spawnSync) would otherwise hold up the stop, and with it a config apply.
      for (const c of conns) c.destroy();
      conns.clear();
      subs.clear();
      readingSubs = 0;
      const srv = server;
      server = null;
      if (srv) await new Promise<void>((r) => srv.close(() => r()));
      // Our own socket only: whatever has taken its place since (or stood there all along) stays.
      const st = statOrNull(o.path);
      if (ours && st?.isSocket() && st.dev === ours.dev && st.ino === ours.ino) rmSync(o.path, { force: true });
      ours = null;
    },
    event(e) {
      for (const s of subs) if (s.events && (s.device === null || s.device === e.device)) send(s.socket, { stream: 'event', data: e });
    },
    reading(r) {
      for (const s of subs) if (s.readings && (s.device === null || s.device === r.device)) send(s.socket, { stream: 'reading', data: r });
    },
    get hasReadingSubscribers() {
      return readingSubs > 0;
    },
  };
}

function statOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

/** null when nothing is at `path`; 'socket'; else what is there, for the log ("regular file"). */
function describeExisting(path: string): string | null {
  const st = statOrNull(path);
  if (st === null) return null;
  if (st.isSocket()) return 'socket';
  if (st.isFile()) return 'regular file';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symbolic link';
  return 'special file';
}
