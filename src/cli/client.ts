import { connect, type Socket } from 'node:net';
import { WAITING_STATE } from '../config/provisioned.js';
import type { CommandName, ControlReply, ControlRequest, ReplyOf, Sent, StreamMessage, SubscribeArgs } from '../control/protocol.js';
import type { DaemonStatus, WaitingStatus } from '../control/status.js';
import type { Reading } from '../core/reading.js';
import { clientMessages } from './messages/client.js';
import { fill } from './messages/entry.js';

/**
 * anjuctl's side of the control socket (the daemon's: src/daemon/control-socket.ts; the commands'
 * arguments and replies: src/control/protocol.ts): one JSON line per request,
 * one per response; `subscribe` turns the connection into a stream. Connection failures become
 * typed errors so commands can say "not running" or "not in group anju" instead of a stack trace.
 */
export const DEFAULT_SOCKET = '/run/anju/anjud.sock';

export class ControlError extends Error {
  /** Our words for a protocol failure (a timeout, a refused subscription), for the reader's language. */
  readonly said: Said | undefined;
  constructor(readonly kind: 'not-running' | 'no-permission' | 'protocol', readonly path: string, message: string | Said) {
    super(typeof message === 'string' ? message : fill(clientMessages[message.key].en, message.vars));
    this.said = typeof message === 'string' ? undefined : message;
  }
}

type Said = { key: keyof typeof clientMessages; vars: Record<string, string | number> };
const said = (key: Said['key'], vars: Said['vars'] = {}): Said => ({ key, vars });

/** A reply: `data` typed by the command (src/control/protocol.ts), or a stable error code and message. */
export type Reply<R> = ControlReply<R>;

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
 * One command and its reply, typed by the protocol (src/control/protocol.ts): `request(socket,
 * 'get-status')` is a Reply<DaemonStatus>. A daemon waiting for provisioning (src/daemon/waiting.ts)
 * answers get-status with `{state: "waiting_for_provisioning"}` rather than a hub's status: that comes
 * back as ANJU_CMD_NOT_READY saying what to do, so no command misreads it as a hub with nothing in
 * it (`requestStatus` takes either, for anjuctl status).
 */
export function request<C extends CommandName>(path: string, cmd: C, args?: Sent<C>, timeoutMs = 10_000): Promise<Reply<ReplyOf<C>>> {
  return exchange(path, cmd, args ?? {}, timeoutMs, false) as Promise<Reply<ReplyOf<C>>>;
}

/** get-status from a running hub or from one waiting for provisioning (tell them apart with `isWaiting`). */
export function requestStatus(path: string, timeoutMs = 10_000): Promise<Reply<DaemonStatus | WaitingStatus>> {
  return exchange(path, 'get-status', {}, timeoutMs, true) as Promise<Reply<DaemonStatus | WaitingStatus>>;
}

/** One request line and the reply line with its id; what the daemon says is trusted to be the protocol's. */
async function exchange(path: string, cmd: CommandName, args: unknown, timeoutMs: number, waiting: boolean): Promise<Reply<unknown>> {
  const s = await open(path);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { s.destroy(); reject(new ControlError('protocol', path, said('ctlNoAnswer', { cmd, ms: timeoutMs }))); }, timeoutMs);
    lines(s, (msg) => {
      if (msg.id !== 1) return;
      clearTimeout(timer);
      s.end();
      const data = msg.data as { state?: unknown; config?: unknown } | undefined;
      if (msg.ok === true && data?.state === WAITING_STATE && !waiting) {
        resolve({ id: msg.id, ok: false, code: 'ANJU_CMD_NOT_READY', message: `anjud is waiting for provisioning (no valid config at ${String(data.config)}): run anjuctl init` });
        return;
      }
      resolve(msg as unknown as Reply<unknown>);
    });
    const line: ControlRequest = { id: 1, cmd, args };
    s.write(`${JSON.stringify(line)}\n`);
  });
}

export interface Subscription { stop(): void; closed: Promise<void> }

/**
 * Streams events and/or readings until the returned stop() or the socket closes. `onMessage` gets
 * ('event', StoredEvent) or ('reading', Reading): checking the first narrows the second.
 * Resolves once the daemon confirmed the subscription: from then on nothing it publishes is missed.
 * (Resolving at connect left a window in which an event went by unseen: `events tail` said
 * "waiting" and missed the alarm raised right after, on a loaded machine.)
 */
export async function subscribe(path: string, args: SubscribeArgs & { events: false; readings: true }, onMessage: (stream: 'reading', r: Reading) => void, timeoutMs?: number): Promise<Subscription>;
export async function subscribe(path: string, args: SubscribeArgs, onMessage: (...m: StreamMessage) => void, timeoutMs?: number): Promise<Subscription>;
export async function subscribe(path: string, args: SubscribeArgs, onMessage: ((...m: StreamMessage) => void) | ((stream: 'reading', r: Reading) => void), timeoutMs = 10_000): Promise<Subscription> {
  const s = await open(path);
  // Readings only (events: false) get no 'event' line: the daemon filters by args (control-socket.ts).
  const deliver = onMessage as (...m: StreamMessage) => void;
  const closed = new Promise<void>((r) => s.once('close', () => r()));
  // Messages are handed over only once the caller holds the handle (it may stop() from onMessage):
  // the confirmation and the first messages can arrive in one chunk.
  let handedOver = false;
  const early: StreamMessage[] = [];
  const confirmed = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { s.destroy(); reject(new ControlError('protocol', path, said('ctlNoAnswer', { cmd: 'subscribe', ms: timeoutMs }))); }, timeoutMs);
    lines(s, (msg) => {
      if (msg.stream === 'event' || msg.stream === 'reading') {
        const m = [msg.stream, msg.data] as StreamMessage;
        if (handedOver) deliver(...m);
        else early.push(m);
      } else if (msg.id === 1) {
        clearTimeout(timer);
        if (msg.ok !== true) { s.destroy(); reject(new ControlError('protocol', path, said('ctlSubscribeRefused', { code: String(msg.code), message: String(msg.message) }))); return; }
        resolve();
        setImmediate(() => {
          handedOver = true;
          for (const m of early.splice(0)) deliver(...m);
        });
      }
    });
    void closed.then(() => { clearTimeout(timer); reject(new ControlError('protocol', path, said('ctlClosedEarly'))); });
  });
  const line: ControlRequest = { id: 1, cmd: 'subscribe', args };
  s.write(`${JSON.stringify(line)}
`);
  await confirmed;
  return { stop: () => s.destroy(), closed };
}
