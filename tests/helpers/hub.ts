import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { DaemonStatus } from '../../src/daemon/daemon.js';
import { daemonStatus, serialPortsOpen } from './control.js';
import { spawnDaemon, testConfig, type DaemonProcess } from './daemon-process.js';
import { createMosquitto, startMosquitto, type Mosquitto } from './mosquitto.js';
import { mqttSub, type Message, type Subscriber } from './mqtt-subscriber.js';
import { canConnect } from './peers.js';
import { createPtyPair, type PtyPair } from './pty.js';
import { waitFor } from './wait.js';
import { breath, presence } from '../integration/frames.js';

/**
 * One home for a daemon test: a temp dir, a real Mosquitto, a socat pty per radar, the config file,
 * a subscriber on every topic of the hub, the built daemon, and one `stop()` that takes it all down.
 * Everything is private to the call (its own dir, broker port, pty names, hub id), so hubs of
 * different tests and files can run at the same time.
 *
 * `start()` returns when the daemon is READY for what tests do next, not merely running:
 * - the control socket listens (anjuctl works);
 * - every serial port is open (the first open of a fresh pty can fail with "Cannot lock port"
 *   and is retried a second later; frames written before that are lost);
 * - with a broker up: subscribed to acks and commands ('uplink connected' comes before the SUBACK,
 *   and the broker drops a command sent in between).
 */
export interface HubOptions {
  /** Names the temp dir and, unless `hubId` is given, the hub: `hub-<name>`. */
  name: string;
  hubId?: string;
  /** Radars (MR60BHA1 unless said otherwise), each on its own pty named after its id. Default: one, `radar`. */
  radars?: Array<string | { id: string; model: string }>;
  /** testConfig's detector and uplink knobs (tests/helpers/daemon-process.ts). */
  sustainS?: number;
  clearAfterS?: number;
  delivery?: 'puback' | 'cloud_ack';
  uplinkExtra?: string;
  /** YAML appended to the generated config (top-level keys, or detectors under `detectors:` with two spaces). */
  extra?: string;
  /** The whole config instead of the generated one. */
  yaml?: (h: { hubId: string; brokerUrl: string; stateDir: string; socket: string; ptys: Record<string, PtyPair> }) => string;
  /** Where to put it all (e.g. a tmpfs the test mounted); kept at stop(). Default: a new temp dir, removed at stop(). */
  dir?: string;
  /** The config file's path under the dir (default `anju.yaml`; e.g. `etc/anju.yaml` for a config directory of its own). */
  configFile?: string;
  /** 'down': a broker created but not started (`hub.broker.start()` later). Default: a broker of its own, running. */
  broker?: 'up' | 'down' | { globalConf?: string; listenerConf?: string };
  /** Subscribe to `anju/v1/<hub>/#` before the daemon starts (hub.sub). Default true (false with a broker down). */
  subscribe?: boolean;
  /** Environment added to the daemon's (e.g. libfaketime's). */
  env?: Readonly<Record<string, string>>;
  /** Start the daemon at once (default true). */
  start?: boolean;
}

export type Readiness = 'spawned' | 'socket' | 'serial' | 'ready';

export interface Hub {
  readonly hubId: string;
  readonly dir: string;
  readonly stateDir: string;
  readonly cfgPath: string;
  readonly socket: string;
  readonly broker: Mosquitto;
  /** The first radar's pty; all of them by device id in `ptys`. */
  readonly pty: PtyPair;
  readonly ptys: Record<string, PtyPair>;
  /** Every message on anju/v1/<hub>/#, in arrival order (absent with `subscribe: false`). */
  readonly sub: Subscriber;
  /** The daemon started last. */
  readonly daemon: DaemonProcess;
  /** Messages on anju/v1/<hub>/<suffix>, from index `from` of `sub.messages` on. */
  on(suffix: string, from?: number): Message[];
  /** Spawns a daemon on the config (again) and waits until it is `ready` (default: 'ready', see above). */
  start(o?: { ready?: Readiness; env?: Readonly<Record<string, string>> }): Promise<DaemonProcess>;
  /** Kills the current daemon with `signal` (default SIGKILL) and waits for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The daemon's status over the control socket (no anjuctl process: cheap to poll). */
  status(): Promise<DaemonStatus>;
  /** Rewrites the config file (e.g. to restart with another setting). */
  writeConfig(text: string): void;
  stop(): Promise<void>;
}

export async function startHub(o: HubOptions): Promise<Hub> {
  const hubId = o.hubId ?? `hub-${o.name}`;
  const ownDir = o.dir === undefined;
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), `anju-${o.name}-`));
  const stateDir = join(dir, 'state');
  const cfgPath = join(dir, o.configFile ?? 'anju.yaml');
  mkdirSync(dirname(cfgPath), { recursive: true });
  const socket = join(stateDir, 'anjud.sock');
  const undo: Array<() => unknown> = [];
  const daemons: DaemonProcess[] = [];
  let current: DaemonProcess | null = null;
  let sub: Subscriber | null = null;

  const stop = async (): Promise<void> => {
    for (const d of daemons) if (d.proc.exitCode === null && d.proc.signalCode === null) d.proc.kill('SIGKILL');
    await Promise.all(daemons.map((d) => d.exited));
    for (const u of undo.splice(0).reverse()) {
      try { await u(); } catch (err) { console.error(`hub ${hubId}: clean-up failed`, err); }
    }
    if (ownDir) rmSync(dir, { recursive: true, force: true });
  };

  try {
    const brokerOpt = o.broker ?? 'up';
    const broker = brokerOpt === 'down' ? await createMosquitto() : await startMosquitto(brokerOpt === 'up' ? undefined : brokerOpt);
    undo.push(() => broker.stop());
    const ptys: Record<string, PtyPair> = {};
    const radars = (o.radars ?? ['radar']).map((r) => (typeof r === 'string' ? { id: r, model: 'seeed-mr60bha1' } : r));
    for (const r of radars) {
      const p = await createPtyPair(dir, r.id);
      undo.push(() => p.unplug());
      ptys[r.id] = p;
    }
    const config = o.yaml
      ? o.yaml({ hubId, brokerUrl: broker.url, stateDir, socket, ptys })
      : testConfig({
        hubId, stateDir, brokerUrl: broker.url, devices: radars.map((r) => ({ id: r.id, model: r.model, path: ptys[r.id]!.devicePath })),
        sustainS: o.sustainS, clearAfterS: o.clearAfterS, delivery: o.delivery, uplinkExtra: o.uplinkExtra,
      }) + (o.extra ?? '');
    writeFileSync(cfgPath, config);
    if (o.subscribe ?? brokerOpt !== 'down') {
      const s = await mqttSub(broker.url, `anju/v1/${hubId}/#`);
      undo.push(() => s.close());
      sub = s;
    }

    const status = (): Promise<DaemonStatus> => daemonStatus(socket);
    const hub: Hub = {
      hubId, dir, stateDir, cfgPath, socket, broker, ptys,
      pty: ptys[radars[0]?.id ?? ''] as PtyPair,
      get sub() {
        if (!sub) throw new Error(`hub ${hubId} was started without a subscriber`);
        return sub;
      },
      get daemon() {
        if (!current) throw new Error(`hub ${hubId}: no daemon started yet`);
        return current;
      },
      on: (suffix, from = 0) => hub.sub.messages.slice(from).filter((m) => m.topic === `anju/v1/${hubId}/${suffix}`),
      async start(s = {}) {
        const d = spawnDaemon(['--config', cfgPath], { env: { ...o.env, ...s.env } });
        daemons.push(d);
        current = d;
        await waitUntilReady(d, s.ready ?? 'ready', { socket, brokerUp: () => canConnect(broker.port) });
        return d;
      },
      async kill(signal = 'SIGKILL') {
        const d = hub.daemon;
        if (d.proc.exitCode === null && d.proc.signalCode === null) d.proc.kill(signal);
        return d.exited;
      },
      status,
      writeConfig: (text) => writeFileSync(cfgPath, text),
      stop,
    };
    if (o.start ?? true) await hub.start();
    return hub;
  } catch (err) {
    await stop();
    throw err;
  }
}

async function waitUntilReady(d: DaemonProcess, ready: Readiness, h: { socket: string; brokerUp: () => Promise<boolean> }): Promise<void> {
  if (ready === 'spawned') return;
  const alive = () => {
    if (d.proc.exitCode !== null || d.proc.signalCode !== null) throw new Error(`anjud exited (${d.proc.exitCode ?? d.proc.signalCode}) before it was ready:\n${d.stderr()}\n${d.logs.map((l) => JSON.stringify(l)).join('\n')}`);
    return true;
  };
  await d.waitForLog('control socket listening', (l) => alive() && l.msg === 'control socket listening', 20_000);
  if (ready === 'socket') return;
  await waitFor('every serial port open', async () => alive() && serialPortsOpen(h.socket), 20_000,
    () => d.logs.filter((l) => String(l.msg).includes('serial')).map((l) => JSON.stringify(l)).join('\n'));
  if (ready === 'serial' || !(await h.brokerUp())) return;
  await d.waitForLog('uplink subscribed to acks and commands', (l) => alive() && l.msg === 'uplink subscribed to acks and commands', 20_000);
}

/**
 * Writes `frames()` into the pty every `everyMs` until `until()` holds: a detector's sustain timer
 * runs on receive times, so a fixed number of frames is not enough when the daemon is slowed down
 * (frames read in one burst carry one timestamp). Fails naming `what` after `timeoutMs`.
 */
export async function feedUntil(pty: PtyPair, frames: () => Uint8Array | Uint8Array[], what: string, until: () => unknown, o: { everyMs?: number; timeoutMs?: number } = {}): Promise<void> {
  const write = () => { const f = frames(); for (const b of Array.isArray(f) ? f : [f]) pty.write(b); };
  write();
  const timer = setInterval(write, o.everyMs ?? 500);
  try {
    await waitFor(what, async () => (await until()) || undefined, o.timeoutMs ?? 30_000);
  } finally {
    clearInterval(timer);
  }
}

/**
 * A night on the hub's first radar (or `o.device`): in bed, breathing at `o.rate` (16/min), until
 * the daemon has RECEIVED `seconds` of it (the sleep report counts receive times, so a fixed count
 * of frames a slowed daemon reads in one burst would be a shorter night), then out of bed until
 * `until()` holds (e.g. the report arrived).
 */
export async function night(hub: Hub, seconds: number, what: string, until: () => unknown, o: { rate?: number; device?: string; timeoutMs?: number } = {}): Promise<void> {
  const device = o.device ?? Object.keys(hub.ptys)[0]!;
  const pty = hub.ptys[device]!;
  let first: number | null = null;
  await feedUntil(pty, () => [presence(true), breath(o.rate ?? 16)], `${seconds} s in bed received`, async () => {
    const seen = (await hub.status()).devices.find((d) => d.id === device)?.ingest?.lastSeenTs ?? null;
    if (seen === null) return false;
    first ??= seen;
    return seen - first >= seconds * 1000;
  }, { everyMs: 1000, timeoutMs: seconds * 1000 + 30_000 });
  await feedUntil(pty, () => presence(false), what, until, { everyMs: 1000, timeoutMs: o.timeoutMs ?? 30_000 });
}
