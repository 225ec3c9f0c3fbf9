import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { requireBinary } from './peers.js';
import { WAIT_MS, waitFor } from './wait.js';
import { onLines } from './lines.js';

/**
 * The peers the systemd watchdog test needs, both real:
 *  - a NOTIFY_SOCKET listener that plays PID 1's part: an AF_UNIX datagram socket that receives what
 *    `systemd-notify` sends and, like PID 1, releases the BARRIER=1 file descriptor (systemd-notify
 *    waits for that; socat keeps the descriptor open, so its barrier times out after 5 s);
 *  - an inspector client, to freeze a running daemon's main loop from outside with a real busy loop
 *    (the daemon is started with NODE_OPTIONS=--inspect): no test code in the product.
 */

export interface NotifyMessage {
  /** performance.now() in this process when the datagram was read. */
  readonly atMs: number;
  /** The datagram's assignments, e.g. { READY: '1', STATUS: '...', MAINPID: '123' }. */
  readonly vars: Readonly<Record<string, string>>;
}

export interface NotifyListener {
  readonly path: string;
  /** Every datagram except systemd-notify's own BARRIER=1 handshakes, in arrival order. */
  readonly messages: NotifyMessage[];
  waitFor(what: string, match: (m: NotifyMessage) => boolean, timeoutMs?: number): Promise<NotifyMessage>;
  /** Messages with `name` set, received at or after `sinceMs` (and before `untilMs`). */
  with(name: string, sinceMs?: number, untilMs?: number): NotifyMessage[];
  close(): Promise<void>;
}

// Perl (perl-base is Essential: on every Debian) because Node has no AF_UNIX datagram sockets. recv()
// without a control buffer makes the kernel close any descriptor passed along, which is how the
// barrier's pipe gets its hang-up, as from PID 1. One datagram per line, hex-encoded.
const RECEIVER = `
use strict; use warnings; use Socket;
my $path = shift;
socket(my $s, PF_UNIX, SOCK_DGRAM, 0) or die "socket: $!";
unlink $path; bind($s, pack_sockaddr_un($path)) or die "bind $path: $!";
$| = 1; print "listening\\n";
while (defined(recv($s, my $buf, 65536, 0))) { print unpack("H*", $buf), "\\n"; }
`;

export async function createNotifyListener(path: string): Promise<NotifyListener> {
  const perl = requireBinary('perl', 'perl-base');
  const proc: ChildProcess = spawn(perl, ['-e', RECEIVER, path], { stdio: ['ignore', 'pipe', 'pipe'] });
  const messages: NotifyMessage[] = [];
  let listening = false;
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  onLines(proc.stdout!, (line) => {
    if (line === 'listening') { listening = true; return; }
    const text = Buffer.from(line, 'hex').toString('utf8');
    if (text === 'BARRIER=1') return;
    const vars: Record<string, string> = {};
    for (const a of text.split('\n')) {
      const eq = a.indexOf('=');
      if (eq > 0) vars[a.slice(0, eq)] = a.slice(eq + 1);
    }
    messages.push({ atMs: performance.now(), vars });
  });
  const exited = new Promise((r) => proc.once('exit', r));
  await waitFor('the notify socket listener', () => {
    if (proc.exitCode !== null) throw new Error(`the perl receiver exited: ${err}`);
    return listening;
  }, 5000);
  const dump = () => `notify messages:\n${messages.map((m) => `${m.atMs.toFixed(0)} ${JSON.stringify(m.vars)}`).join('\n')}`;
  return {
    path,
    messages,
    waitFor: (what, match, timeoutMs = WAIT_MS) => waitFor(what, () => messages.find(match), timeoutMs, dump),
    with: (name, sinceMs = -Infinity, untilMs = Infinity) => messages.filter((m) => name in m.vars && m.atMs >= sinceMs && m.atMs < untilMs),
    async close() {
      if (proc.exitCode === null) { proc.kill('SIGTERM'); await exited; }
      rmSync(path, { force: true });
    },
  };
}

/** A Chrome DevTools Protocol session with a Node process started with --inspect. */
export interface Inspector {
  call(method: string, params?: Record<string, unknown>): Promise<unknown>;
  close(): void;
}

/**
 * Connects to `ws://host:port/<id>` (printed by node on stderr: "Debugger listening on ws://..."),
 * with just enough WebSocket (RFC 6455) for the inspector: masked text frames out, unfragmented
 * text frames in. Node 20 has no WebSocket client without a flag, and this avoids a dependency.
 */
export async function connectInspector(wsUrl: string): Promise<Inspector> {
  const url = new URL(wsUrl);
  const sock = connect(Number(url.port), url.hostname);
  await new Promise<void>((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject); });
  const key = randomBytes(16).toString('base64');
  sock.write(`GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);

  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let buf = Buffer.alloc(0);
  let upgraded = false;
  let upgradeDone!: () => void;
  let upgradeFailed!: (e: Error) => void;
  const upgrade = new Promise<void>((resolve, reject) => { upgradeDone = resolve; upgradeFailed = reject; });

  const onText = (text: string): void => {
    const msg = JSON.parse(text) as { id?: number; result?: unknown; error?: { message: string } };
    if (msg.id === undefined) return; // an event
    const p = pending.get(msg.id);
    pending.delete(msg.id);
    if (msg.error) p?.reject(new Error(`inspector: ${msg.error.message}`));
    else p?.resolve(msg.result);
  };

  sock.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    if (!upgraded) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.subarray(0, end).toString();
      buf = buf.subarray(end + 4);
      if (!/^HTTP\/1\.1 101/.test(head)) { upgradeFailed(new Error(`inspector refused the WebSocket upgrade: ${head.split('\r\n')[0]}`)); return; }
      upgraded = true;
      upgradeDone();
    }
    for (;;) {
      if (buf.length < 2) return;
      const opcode = buf[0]! & 0x0f;
      let len = buf[1]! & 0x7f;
      let off = 2;
      if (len === 126) { if (buf.length < 4) return; len = buf.readUInt16BE(2); off = 4; }
      else if (len === 127) { if (buf.length < 10) return; len = Number(buf.readBigUInt64BE(2)); off = 10; }
      if (buf.length < off + len) return;
      const payload = buf.subarray(off, off + len);
      buf = buf.subarray(off + len);
      if (opcode === 0x1) onText(payload.toString('utf8'));
      else if (opcode === 0x8) sock.end();
    }
  });
  sock.on('error', (e) => { for (const p of pending.values()) p.reject(e); pending.clear(); });
  await upgrade;

  const sendText = (text: string): void => {
    const payload = Buffer.from(text, 'utf8');
    const mask = randomBytes(4);
    let head: Buffer;
    if (payload.length < 126) head = Buffer.from([0x81, 0x80 | payload.length]);
    else if (payload.length < 65536) { head = Buffer.alloc(4); head[0] = 0x81; head[1] = 0x80 | 126; head.writeUInt16BE(payload.length, 2); }
    else { head = Buffer.alloc(10); head[0] = 0x81; head[1] = 0x80 | 127; head.writeBigUInt64BE(BigInt(payload.length), 2); }
    for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ mask[i % 4]!;
    sock.write(Buffer.concat([head, mask, payload]));
  };

  return {
    call(method, params = {}) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        sendText(JSON.stringify({ id, method, params }));
      });
    },
    close() { sock.destroy(); },
  };
}

/** The one-letter state of a process from /proc/<pid>/stat: R running, S sleeping, T stopped, Z zombie. */
export function processState(pid: number): string {
  // Field 3, after the parenthesised command name (which may itself contain spaces or parentheses).
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? '?';
}
