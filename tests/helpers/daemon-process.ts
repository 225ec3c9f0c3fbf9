import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { WAIT_MS, waitFor } from './wait.js';

/**
 * The repository root: the nearest directory up with package.json. Not a fixed '../..': `npm run
 * faults` and `npm run soak` run these helpers compiled to dist/tests/helpers (faults/tsconfig.json).
 */
export const ROOT = ((): string => {
  for (let dir = import.meta.dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${import.meta.dirname}`);
  }
})();
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

let spawned = 0;

/** `env`: variables added to the daemon's environment (e.g. libfaketime's, tests/helpers/faketime.ts). */
export function spawnDaemon(args: string[], o: { env?: Readonly<Record<string, string>> } = {}): DaemonProcess {
  if (!ANJUD) throw new Error('build first');
  return spawnJsonLogging(ANJUD, args, { ...o.env, ANJU_LOG_FORMAT: 'json' }, 'daemon');
}

/**
 * A built entry point (`script`) run by this node, its stdout read as JSON log lines (pino).
 *
 * Its stdout goes to a file that `logs` reads as it grows, not to a pipe: Node writes to a pipe
 * synchronously, so a process whose pipe is full stops dead until the test process reads it, and a
 * test blocked in spawnSync (anjuctl) never does. Seen: `devices add` waited 35 s for an outcome
 * from a daemon frozen in a log write, and gave up.
 */
export function spawnJsonLogging(script: string, args: string[], env: Readonly<Record<string, string>>, name: string): DaemonProcess {
  const logDir = mkdtempSync(join(tmpdir(), `anju-${name}-log-`));
  const logFile = join(logDir, `${name}-${process.pid}-${++spawned}.log`);
  const out = openSync(logFile, 'w+');
  const proc = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', out, 'pipe'] });
  const logs: LogLine[] = [];
  let offset = 0;
  let partial = '';
  let closed = false;
  const buf = Buffer.alloc(64 * 1024);
  /** Takes in what the process wrote since the last look. */
  const sync = (): void => {
    if (closed) return;
    for (;;) {
      const n = readSync(out, buf, 0, buf.length, offset);
      if (n <= 0) break;
      offset += n;
      partial += buf.toString('utf8', 0, n);
    }
    let nl: number;
    while ((nl = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      try { logs.push(JSON.parse(line) as LogLine); } catch { logs.push({ level: 0, msg: line }); }
    }
  };
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('exit', (code, signal) => {
    sync();
    closed = true;
    closeSync(out);
    rmSync(logDir, { recursive: true, force: true });
    resolve({ code, signal });
  }));
  const dump = () => `${name} logs:\n${logs.map((l) => JSON.stringify(l)).join('\n')}\nstderr:\n${err}`;
  return {
    proc,
    get logs() { sync(); return logs; },
    exited,
    waitForLog: (what, match, timeoutMs = WAIT_MS) => waitFor(what, () => { sync(); return logs.find(match); }, timeoutMs, dump),
    stderr: () => err,
  };
}

/** A daemon config for tests: one radar per pty (an MR60BHA1 unless `model` says otherwise), short detector times. */
export function testConfig(o: {
  hubId: string; stateDir: string; brokerUrl: string; devices: Array<{ id: string; path: string; model?: string }>;
  sustainS?: number; clearAfterS?: number; delivery?: 'puback' | 'cloud_ack'; uplinkExtra?: string;
}): string {
  const devices = o.devices.map((d) => `  - { id: ${d.id}, model: ${d.model ?? 'seeed-mr60bha1'}, room: bedroom, serial: { path: "${d.path}" } }`).join('\n');
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
