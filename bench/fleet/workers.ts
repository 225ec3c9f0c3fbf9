import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FromWorker, HubReport, Progress, Sample, ToWorker } from './protocol.js';

const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));

/** The hub processes of a fleet run, as one: start, latest samples, progress, reports, stop. */
export interface HubProcesses {
  readonly pids: number[];
  /** RSS of each process after its imports, before any hub (the empty process's cost). */
  readonly bootRss: number[];
  /** The latest sample of each process (null before its first). */
  latest(): Array<Sample | null>;
  /** Every connect time reported so far. */
  readonly connects: number[];
  readonly warnings: Map<string, number>;
  ready(): Promise<void>;
  broadcast(m: ToWorker): void;
  progress(outageFrom: number, outageTo: number): Promise<{ unacked: number; unackedOutageAlarms: number }>;
  reports(): Promise<HubReport[]>;
  stop(): Promise<void>;
}

export async function startHubProcesses(o: { hubs: string[]; workers: number; start: (hubs: string[], i: number) => ToWorker }): Promise<HubProcesses> {
  const children: ChildProcess[] = [];
  const latest: Array<Sample | null> = [];
  const bootRss: number[] = [];
  const connects: number[] = [];
  const warnings = new Map<string, number>();
  const waiters = new Map<string, Array<(m: FromWorker, i: number) => void>>();
  const on = (op: string, cb: (m: FromWorker, i: number) => void) => { waiters.set(op, [...(waiters.get(op) ?? []), cb]); };
  const collect = <T extends FromWorker>(op: T['op']): Promise<T[]> => new Promise((resolve) => {
    const got: T[] = [];
    const cb = (m: FromWorker, i: number) => {
      got[i] = m as T;
      if (got.filter(Boolean).length === children.length) {
        waiters.set(op, (waiters.get(op) ?? []).filter((x) => x !== cb));
        resolve(got);
      }
    };
    on(op, cb);
  });
  const booted = collect<{ op: 'booted'; rssBytes: number; heapUsedBytes: number }>('booted');
  for (let i = 0; i < o.workers; i++) {
    // --max-old-space-size: 1,500 hubs' mqtt.js clients and statements outgrow the default heap limit's comfort.
    const c = fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--max-old-space-size=4096'] });
    children.push(c);
    latest.push(null);
    c.on('message', (m: FromWorker) => {
      if (m.op === 'sample') { latest[i] = m; connects.push(...m.connects); }
      if (m.op === 'warn') warnings.set(m.msg, Math.max(warnings.get(m.msg) ?? 0, m.count));
      for (const cb of waiters.get(m.op) ?? []) cb(m, i);
    });
    c.on('exit', (code, signal) => {
      if (code !== 0 && !stopping) process.stderr.write(`fleet: hub process ${i} exited (${code ?? signal})\n`);
    });
  }
  let stopping = false;
  for (const m of await booted) bootRss.push(m.rssBytes);
  const ready = collect('ready');
  const per = Math.ceil(o.hubs.length / o.workers);
  children.forEach((c, i) => c.send(o.start(o.hubs.slice(i * per, (i + 1) * per), i)));
  const broadcast = (m: ToWorker) => { for (const c of children) if (c.connected) c.send(m); };
  return {
    pids: children.map((c) => c.pid!),
    bootRss,
    latest: () => latest,
    connects,
    warnings,
    ready: async () => { await ready; },
    broadcast,
    async progress(outageFrom, outageTo) {
      const p = collect<Progress>('progress');
      broadcast({ op: 'progress', outageFrom, outageTo });
      const all = await p;
      return { unacked: all.reduce((s, x) => s + x.unacked, 0), unackedOutageAlarms: all.reduce((s, x) => s + x.unackedOutageAlarms, 0) };
    },
    async reports() {
      const r = collect<{ op: 'report'; hubs: HubReport[] }>('report');
      broadcast({ op: 'report' });
      return (await r).flatMap((x) => x.hubs);
    },
    async stop() {
      stopping = true;
      const exits = children.map((c) => (c.exitCode !== null ? Promise.resolve() : new Promise<void>((r) => c.once('exit', () => r()))));
      broadcast({ op: 'stop' });
      const timer = setTimeout(() => { for (const c of children) if (c.exitCode === null) c.kill('SIGKILL'); }, 15_000);
      await Promise.all(exits);
      clearTimeout(timer);
    },
  };
}
