import { connect, type Socket } from 'node:net';
import { WAITING_STATE } from '../config/provisioned.js';

/**
 * anjuctl's side of the control socket (src/daemon/control-socket.ts): one JSON line per request,
 * one per response; `subscribe` turns the connection into a stream. Connection failures become
 * typed errors so commands can say "not running" or "not in group anju" instead of a stack trace.
 */
export const DEFAULT_SOCKET = '/run/anju/anjud.sock';

export class ControlError extends Error {
  constructor(readonly kind: 'not-running' | 'no-permission' | 'protocol', readonly path: string, message: string) {
    super(message);
  }
}

export interface Reply { id: unknown; ok: boolean; code?: string; message?: string; data?: unknown }

function open(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(path);
    s.once('connect', () => resolve(s));
    s.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EACCES' || err.code === 'EPERM') reject(new ControlError('no-permission', path, err.message));
      else if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED' || err.code === 'ENOTSOCK') reject(new ControlError('not-running', path, err.message));
      else reject(new ControlError('protocol', path, err.message));
    });
  });
}

function lines(s: Socket, onLine: (msg: Record<string, unknown>) => void): void {
  let buf = '';
  s.setEncoding('utf8');
  s.on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try { onLine(JSON.parse(line) as Record<string, unknown>); } catch { /* a partial or foreign line: ignore */ }
    }
  });
}

/**
 * One command and its reply. A daemon waiting for provisioning (src/daemon/waiting.ts) answers
 * get-status with `{state: "waiting_for_provisioning"}` rather than a hub's status: unless the caller
 * asks for that (`waiting: true`, anjuctl status), it comes back as ANJU_CMD_NOT_READY saying what to
 * do, so no command misreads it as a hub with nothing in it.
 */
export async function request(path: string, cmd: string, args: unknown = {}, timeoutMs = 10_000, o: { waiting?: boolean } = {}): Promise<Reply> {
  const s = await open(path);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { s.destroy(); reject(new ControlError('protocol', path, `no answer to ${cmd} within ${timeoutMs} ms`)); }, timeoutMs);
    lines(s, (msg) => {
      if (msg.id !== 1) return;
      clearTimeout(timer);
      s.end();
      const data = msg.data as { state?: unknown; config?: unknown } | undefined;
      if (msg.ok === true && data?.state === WAITING_STATE && !o.waiting) {
        resolve({ id: msg.id, ok: false, code: 'ANJU_CMD_NOT_READY', message: `anjud is waiting for provisioning (no valid config at ${String(data.config)}): run anjuctl init` });
        return;
      }
      resolve(msg as unknown as Reply);
    });
    s.write(`${JSON.stringify({ id: 1, cmd, args })}\n`);
  });
}

/** Streams events and/or readings until the returned stop() or the socket closes. */
export async function subscribe(path: string, args: { events?: boolean; readings?: boolean; device?: string }, onMessage: (stream: string, data: Record<string, unknown>) => void): Promise<{ stop(): void; closed: Promise<void> }> {
  const s = await open(path);
  lines(s, (msg) => {
    if (typeof msg.stream === 'string') onMessage(msg.stream, msg.data as Record<string, unknown>);
  });
  s.write(`${JSON.stringify({ id: 1, cmd: 'subscribe', args })}\n`);
  const closed = new Promise<void>((r) => s.once('close', () => r()));
  return { stop: () => s.destroy(), closed };
}
