import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { onLines } from './lines.js';
import { waitFor } from './wait.js';

export const ROOT = join(import.meta.dirname, '../..');
export const ANJUD = join(ROOT, 'dist/src/daemon/anjud.js');

export interface LogLine { level: number; msg: string; [k: string]: unknown }

/** The real, built daemon as a child process, its JSON log lines collected. */
export interface DaemonProcess {
  readonly proc: ChildProcess;
  readonly logs: LogLine[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitForLog(what: string, match: (l: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  stderr(): string;
}

/** `env`: variables added to the daemon's environment (e.g. libfaketime's, tests/helpers/faketime.ts). */
export function spawnDaemon(args: string[], o: { env?: Readonly<Record<string, string>> } = {}): DaemonProcess {
  if (!ANJUD) throw new Error('build first');
  return spawnJsonLogging(ANJUD, args, { ...o.env, ANJU_LOG_FORMAT: 'json' }, 'daemon');
}

/** A built entry point (`script`) run by this node, its stdout read as JSON log lines (pino). */
export function spawnJsonLogging(script: string, args: string[], env: Readonly<Record<string, string>>, name: string): DaemonProcess {
  const proc = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: LogLine[] = [];
  let err = '';
  onLines(proc.stdout!, (line) => {
    try { logs.push(JSON.parse(line) as LogLine); } catch { logs.push({ level: 0, msg: line }); }
  });
  proc.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  const dump = () => `${name} logs:\n${logs.map((l) => JSON.stringify(l)).join('\n')}\nstderr:\n${err}`;
  return {
    proc,
    logs,
    exited,
    waitForLog: (what, match, timeoutMs = 15_000) => waitFor(what, () => logs.find(match), timeoutMs, dump),
    stderr: () => err,
  };
}

/** A daemon config for tests: one MR60BHA1 per pty, short detector times. */
export function testConfig(o: {
  hubId: string; stateDir: string; brokerUrl: string; devices: Array<{ id: string; path: string }>;
  sustainS?: number; clearAfterS?: number; delivery?: 'puback' | 'cloud_ack'; uplinkExtra?: string;
}): string {
  const devices = o.devices.map((d) => `  - { id: ${d.id}, model: seeed-mr60bha1, room: bedroom, serial: { path: "${d.path}" } }`).join('\n');
  return `hub: { id: ${o.hubId} }
state_dir: "${o.stateDir}"
log: { level: debug }
control: { socket: "${o.stateDir}/anjud.sock" }
uplink: { url: "${o.brokerUrl}", reconnect_min_s: 0.2, reconnect_max_s: 1, retry_s: 2, delivery: ${o.delivery ?? 'puback'}${o.uplinkExtra ? `, ${o.uplinkExtra}` : ''} }
devices:
${devices}
detectors:
  breathing_rate: { sustain_s: ${o.sustainS ?? 3}, clear_after_s: ${o.clearAfterS ?? 1} }
`;
}
