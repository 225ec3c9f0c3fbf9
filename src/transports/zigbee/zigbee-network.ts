import { join } from 'node:path';
import { startWarningPayload, type Warning } from '../../escalation/ias-wd.js';
import type { Logger } from 'pino';
import { AnjuError, ErrorCodes, type ErrorCode } from '../../core/errors.js';
import type { Measurement } from '../../core/reading.js';
import { decodeZigbeeProfileMessage, zigbeeModels, type ZigbeeModel } from '../../drivers/zigbee-registry.js';
import type { ZigbeeDeviceProfile } from '../../drivers/zigbee-ias/index.js';
import { createLinkSupervisor } from '../link-supervisor.js';
import { planEnrolment } from '../../drivers/zigbee-ias/index.js';
import type { ZigbeeControllerEvents, ZigbeeControllerFactory, ZigbeeControllerPort, ZigbeeControllerSpec, ZigbeePortMessage } from './controller-port.js';
import { identityConflicts, loadOrCreateIdentity } from './network-settings.js';
import type { ZigbeeDeviceStats, ZigbeeNetworkStats, ZigbeeTiming, PermitJoinResult } from './types.js';
import { DEFAULT_ZIGBEE_TIMING } from './types.js';

export interface ZigbeeNetworkOptions {
  /** The daemon's state_dir; Zigbee keeps network.json, the device database and the coordinator backup in <stateDir>/zigbee/. */
  stateDir: string;
  serialPort: ZigbeeControllerSpec['serialPort'];
  /** Used only when the network is first formed (network-settings.ts). */
  channel: number;
  panId?: number | undefined;
  extendedPanId?: number[] | undefined;
  /** `profile`: the model's, from the catalogue (a local profile too); default the shipped model's. */
  devices: ReadonlyArray<{ id: string; model: ZigbeeModel; ieee: string; profile?: ZigbeeDeviceProfile }>;
  /** Decoded measurements of one message, in wire order. Exceptions are counted, not propagated. */
  onMeasurements: (deviceId: string, measurements: Measurement[]) => void;
  log: Logger;
  timing?: Partial<ZigbeeTiming>;
  /** The coordinator stack; default zigbee-herdsman (tests pass a fake). */
  controllerFactory?: ZigbeeControllerFactory;
  /** Wall clock for lastSeen and permit-join end, ms; default Date.now. */
  now?: () => number;
}

export interface ZigbeeNetwork {
  /** Starts the coordinator in the background and returns at once; a missing stick is a status, retried. */
  start(): void;
  stop(): Promise<void>;
  stats(): ZigbeeNetworkStats;
  /** Opens the network for joining for `seconds` (clamped to 1..permitJoinMaxS), or closes it (0). Never rejects. */
  permitJoin(seconds: number): Promise<PermitJoinResult>;
  /** An IAS WD warning to a configured siren, on each of its ssIasWd endpoints; null: not one of ours. Never rejects. */
  warn(deviceId: string, w: Warning): Promise<{ ok: true } | { ok: false; detail: string }> | null;
}

const IEEE = /^0x[0-9a-f]{16}$/;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<T>((_, rej) => { t = setTimeout(() => rej(new Error(`${what} timed out after ${ms} ms`)), ms); })]).finally(() => clearTimeout(t));
}

const errMsg = (e: unknown) => (e instanceof Error ? e.message : String(e));

export async function loadFactory(): Promise<ZigbeeControllerFactory> {
  // Loaded lazily so a daemon without a zigbee: section never loads herdsman (and its serialport).
  return (await import('./herdsman-controller.js')).createHerdsmanController;
}

/**
 * Our Zigbee network: one coordinator (zigbee-herdsman in process), the configured sensors by IEEE
 * address, their messages decoded by their model's profile. Throws only on invalid options
 * (start-up); afterwards every failure is a status and the stick is retried with backoff.
 */
export function createZigbeeNetwork(o: ZigbeeNetworkOptions): ZigbeeNetwork {
  const timing: ZigbeeTiming = { ...DEFAULT_ZIGBEE_TIMING, ...o.timing };
  const now = o.now ?? Date.now;
  const dir = join(o.stateDir, 'zigbee');
  const byIeee = new Map<string, { id: string; model: ZigbeeModel; profile: ZigbeeDeviceProfile; stats: ZigbeeDeviceStats; busy: Promise<void> }>();
  for (const d of o.devices) {
    const profile = d.profile ?? zigbeeModels[d.model];
    if (!profile) throw new AnjuError(ErrorCodes.DEVICE_MODEL_UNKNOWN, `device ${d.id}: unknown Zigbee model ${String(d.model)}`);
    const ieee = d.ieee.toLowerCase();
    if (!IEEE.test(ieee)) throw new AnjuError(ErrorCodes.CONFIG_INVALID, `device ${d.id}: ${d.ieee} is not an IEEE address (0x + 16 hex digits)`);
    if (byIeee.has(ieee)) throw new AnjuError(ErrorCodes.CONFIG_INVALID, `device ${d.id}: ${ieee} is configured twice`);
    if ([...byIeee.values()].some((e) => e.id === d.id)) throw new AnjuError(ErrorCodes.CONFIG_INVALID, `Zigbee device id ${d.id} appears twice`);
    byIeee.set(ieee, {
      id: d.id, model: d.model, profile, busy: Promise.resolve(),
      stats: { id: d.id, ieee, model: d.model, modelId: null, messages: 0, malformed: 0, lastMalformed: null, lastSeenMs: null, linkquality: null, enrolled: null, configured: false, configureFailures: 0, handlerErrors: 0 },
    });
  }

  const sup = createLinkSupervisor({
    policy: { minMs: timing.retryMinMs, maxMs: timing.retryMaxMs, jitter: 'full' }, now, attempt: () => { void attempt(); },
  });
  const st: Omit<ZigbeeNetworkStats, 'devices' | 'unconfiguredDevices'> = {
    state: 'idle', problem: null, lastError: null, lastErrorCode: null, starts: 0, startFailures: 0, adapterLosses: 0, retryDelayMs: null, retry: sup.status(),
    coordinatorIeee: null, networkCreated: null, settingsConflict: null, permitJoin: false, permitJoinUntilMs: null, unknownMessages: 0,
  };
  const unconfigured = new Map<string, { ieee: string; modelId: string | null; lastSeenMs: number }>();
  let controller: ZigbeeControllerPort | null = null;
  let generation = 0; // events of a controller we already gave up on are ignored
  let permitTimer: NodeJS.Timeout | null = null;
  let stopped = false;

  function problem(p: ZigbeeNetworkStats['problem'], code: ErrorCode, message: string): void {
    if (st.problem !== p) o.log.warn({ code, problem: p }, `Zigbee: ${message}`);
    st.problem = p;
    st.lastError = message;
    st.lastErrorCode = code;
  }

  function scheduleRetry(): void {
    if (stopped) return;
    st.state = 'retrying';
    st.retryDelayMs = sup.failed(st.problem ?? 'adapter-unavailable', st.lastError ?? '');
  }

  async function dropController(): Promise<void> {
    const c = controller;
    controller = null;
    generation++;
    closePermit(false);
    if (c) await withTimeout(c.stop(), timing.stopTimeoutMs, 'coordinator stop').catch(() => undefined);
  }

  function deliver(id: string, stats: ZigbeeDeviceStats, ms: Measurement[]): void {
    try { o.onMeasurements(id, ms); } catch (err) {
      stats.handlerErrors++;
      o.log.error({ err, code: ErrorCodes.INGEST_FAILED, device: id }, 'Zigbee measurements handler failed');
    }
  }

  function onMessage(m: ZigbeePortMessage): void {
    const ieee = m.ieee.toLowerCase();
    const dev = byIeee.get(ieee);
    if (!dev) {
      st.unknownMessages++;
      const u = unconfigured.get(ieee);
      unconfigured.set(ieee, { ieee, modelId: u?.modelId ?? null, lastSeenMs: now() });
      return;
    }
    const s = dev.stats;
    s.messages++;
    s.lastSeenMs = now();
    s.linkquality = m.linkquality;
    const r = decodeZigbeeProfileMessage(dev.profile, { cluster: m.cluster, type: m.type, data: m.data });
    if (!r.ok) {
      s.malformed++;
      s.lastMalformed = `${m.cluster} ${m.type}: ${r.error}`;
      o.log.debug({ code: ErrorCodes.ZIGBEE_MALFORMED, device: dev.id }, s.lastMalformed);
      return;
    }
    // A check-in that carries nothing we decode (Aqara heartbeat, poll control check-in) is still
    // proof of life for device-supervision, which counts any reading.
    deliver(dev.id, s, r.measurements.length > 0 ? r.measurements : [{ metric: 'linkQuality', value: m.linkquality }]);
  }

  /** Enrols the device's IAS endpoints with us, when they are not. Returns false when a step failed. */
  async function enrol(c: ZigbeeControllerPort, ieee: string, dev: { id: string; model: ZigbeeModel; profile: ZigbeeDeviceProfile; stats: ZigbeeDeviceStats }): Promise<void> {
    const profile = dev.profile.zigbee;
    if (!profile.ias) return;
    const endpoints = c.endpointsWithCluster(ieee, 'ssIasZone');
    if (endpoints.length === 0) throw new Error('no endpoint with the IAS Zone cluster (is this the configured model?)');
    for (const ep of endpoints) {
      const state = await c.readIasZone(ieee, ep);
      for (const step of planEnrolment(state, c.coordinatorIeee())) {
        if (step.kind === 'write-cie-address') await c.writeIasCieAddress(ieee, ep, step.value);
        else await c.sendIasEnrollResponse(ieee, ep, step.payload.zoneid);
      }
    }
    dev.stats.enrolled = true;
  }

  async function configure(c: ZigbeeControllerPort, ieee: string, dev: { id: string; model: ZigbeeModel; profile: ZigbeeDeviceProfile; stats: ZigbeeDeviceStats }): Promise<void> {
    const cfg = dev.profile.zigbee.configure;
    for (const cluster of cfg.bind) for (const ep of c.endpointsWithCluster(ieee, cluster)) await c.bind(ieee, ep, cluster);
    for (const r of cfg.reporting) for (const ep of c.endpointsWithCluster(ieee, r.cluster)) await c.configureReporting(ieee, ep, r);
    dev.stats.configured = true;
  }

  /** Serialised per device: an announce during a running interview set-up waits for it. */
  function setUp(ieee: string, full: boolean): void {
    const dev = byIeee.get(ieee);
    const c = controller;
    if (!dev || !c) return;
    const gen = generation;
    dev.busy = dev.busy.then(async () => {
      if (gen !== generation || stopped) return;
      try {
        await enrol(c, ieee, dev);
        if (full) await configure(c, ieee, dev);
      } catch (err) {
        dev.stats.configureFailures++;
        if (dev.stats.enrolled !== true) dev.stats.enrolled = dev.profile.zigbee.ias ? false : null;
        // Sleepy sensors often miss these requests; the next announce (battery change, rejoin) retries.
        o.log.warn({ code: ErrorCodes.ZIGBEE_CONFIGURE, device: dev.id, err: errMsg(err) }, 'Zigbee: device set-up failed; retried at its next announce');
      }
    });
  }

  function events(gen: number): ZigbeeControllerEvents {
    const live = () => gen === generation && !stopped;
    return {
      message: (m) => { if (live()) onMessage(m); },
      deviceJoined: (ieee) => {
        if (!live()) return;
        const id = byIeee.get(ieee.toLowerCase())?.id;
        o.log.info({ ieee, device: id ?? null }, id ? 'Zigbee: configured device joined' : 'Zigbee: a device not in the config joined (add it by this IEEE address to use it)');
      },
      deviceInterview: (ieee, status, info) => {
        if (!live()) return;
        const key = ieee.toLowerCase();
        const dev = byIeee.get(key);
        if (!dev) {
          if (status === 'successful') unconfigured.set(key, { ieee: key, modelId: info.modelId ?? null, lastSeenMs: now() });
          return;
        }
        if (status !== 'successful') return;
        dev.stats.modelId = info.modelId ?? null;
        const known = dev.profile.zigbee.modelIds;
        if (info.modelId && !known.includes(info.modelId)) {
          o.log.warn({ device: dev.id, modelId: info.modelId, expected: known }, 'Zigbee: joined device reports another model than configured; check the config');
        }
        setUp(key, true);
      },
      deviceAnnounce: (ieee) => { if (live()) setUp(ieee.toLowerCase(), false); },
      deviceLeave: (ieee) => {
        if (!live()) return;
        const dev = byIeee.get(ieee.toLowerCase());
        if (dev) { dev.stats.enrolled = null; dev.stats.configured = false; o.log.warn({ device: dev.id, ieee }, 'Zigbee: configured device left the network'); }
      },
      permitJoinChanged: (permitted) => { if (live() && !permitted) closePermit(false); },
      adapterDisconnected: () => {
        if (!live()) return;
        st.adapterLosses++;
        problem('adapter-lost', ErrorCodes.ZIGBEE_ADAPTER_LOST, 'the coordinator stick was lost');
        void dropController().then(scheduleRetry);
      },
      // Not gated on live(): the last words of a controller being replaced are worth keeping.
      stackLog: (level, ns, message) => { if (o.log.isLevelEnabled(level)) o.log[level]({ ns }, message()); },
    };
  }

  async function attempt(): Promise<void> {
    if (stopped) return;
    st.state = 'starting';
    st.retryDelayMs = null;
    let spec: ZigbeeControllerSpec;
    try {
      const wanted = { channel: o.channel, panId: o.panId, extendedPanId: o.extendedPanId };
      const { identity, created } = await loadOrCreateIdentity(dir, wanted);
      if (created) o.log.info({ file: join(dir, 'network.json'), panId: identity.panId, channel: identity.channel }, 'Zigbee: formed new network settings with a random network key');
      st.networkCreated = created;
      const conflicts = identityConflicts(identity, wanted);
      st.settingsConflict = conflicts.length > 0 ? `config asks for ${conflicts.join(', ')}; kept the existing network` : null;
      if (st.settingsConflict) o.log.warn({ code: ErrorCodes.ZIGBEE_SETTINGS_CONFLICT }, `Zigbee: ${st.settingsConflict}`);
      spec = {
        serialPort: o.serialPort,
        databasePath: join(dir, 'database.db'),
        databaseBackupPath: join(dir, 'database.db.backup'),
        backupPath: join(dir, 'coordinator-backup.json'),
        network: { panId: identity.panId, extendedPanId: identity.extendedPanId, channel: identity.channel, networkKey: identity.networkKey },
      };
    } catch (err) {
      st.startFailures++;
      problem('state-unavailable', ErrorCodes.ZIGBEE_STATE, `state directory ${dir}: ${errMsg(err)}`);
      return scheduleRetry();
    }
    if (stopped) return;
    const gen = ++generation;
    let c: ZigbeeControllerPort;
    try {
      c = (o.controllerFactory ?? (await loadFactory()))(spec, events(gen));
    } catch (err) {
      st.startFailures++;
      problem('adapter-unavailable', ErrorCodes.ZIGBEE_ADAPTER_UNAVAILABLE, `coordinator: ${errMsg(err)}`);
      return scheduleRetry();
    }
    controller = c;
    try {
      await withTimeout(c.start(), timing.startTimeoutMs, 'coordinator start');
    } catch (err) {
      if (gen !== generation) return; // stopped meanwhile
      st.startFailures++;
      problem('adapter-unavailable', ErrorCodes.ZIGBEE_ADAPTER_UNAVAILABLE, `coordinator on ${o.serialPort.path} (${o.serialPort.adapter}) did not start: ${errMsg(err)}`);
      await dropController();
      return scheduleRetry();
    }
    if (gen !== generation || stopped) return;
    sup.up();
    st.starts++;
    st.state = 'running';
    if (st.problem) o.log.info('Zigbee: coordinator running again');
    st.problem = null;
    st.coordinatorIeee = c.coordinatorIeee() || null;
  }

  function closePermit(send: boolean): void {
    if (permitTimer) clearTimeout(permitTimer);
    permitTimer = null;
    st.permitJoin = false;
    st.permitJoinUntilMs = null;
    const c = controller;
    if (send && c) void c.permitJoin(0).catch((err: unknown) => o.log.warn({ err: errMsg(err) }, 'Zigbee: closing permit-join failed'));
  }

  return {
    start() {
      if (stopped || st.state !== 'idle') return;
      void attempt();
    },
    async stop() {
      stopped = true;
      sup.stop();
      await dropController();
      st.state = 'stopped';
    },
    async permitJoin(seconds) {
      const c = controller;
      if (!c || st.state !== 'running') return { ok: false, code: ErrorCodes.ZIGBEE_NOT_RUNNING, message: `the coordinator is not running (${st.problem ?? st.state})` };
      const s = Number.isFinite(seconds) ? Math.max(0, Math.min(timing.permitJoinMaxS, Math.round(seconds))) : 0;
      try {
        await withTimeout(c.permitJoin(s), timing.requestTimeoutMs, 'permit join');
      } catch (err) {
        return { ok: false, code: ErrorCodes.ZIGBEE_ADAPTER_UNAVAILABLE, message: `permit join failed: ${errMsg(err)}` };
      }
      if (s === 0) { closePermit(false); return { ok: true, seconds: 0, untilMs: null }; }
      if (permitTimer) clearTimeout(permitTimer);
      st.permitJoin = true;
      st.permitJoinUntilMs = now() + s * 1000;
      // Our own deadline as well as the coordinator's: the network must never stay open because a
      // firmware ignored the duration or a close event was lost.
      permitTimer = setTimeout(() => closePermit(true), s * 1000);
      o.log.info({ seconds: s }, 'Zigbee: permit join open');
      return { ok: true, seconds: s, untilMs: st.permitJoinUntilMs };
    },
    warn(deviceId, w) {
      const ieee = [...byIeee.entries()].find(([, d]) => d.id === deviceId)?.[0];
      if (ieee === undefined) return null;
      const c = controller;
      if (!c || st.state !== 'running') return Promise.resolve({ ok: false, detail: `the coordinator is not running (${st.problem ?? st.state})` });
      const endpoints = c.endpointsWithCluster(ieee, 'ssIasWd');
      if (endpoints.length === 0) return Promise.resolve({ ok: false, detail: `${deviceId} (${ieee}) has no IAS WD endpoint known to the coordinator (not joined or not interviewed yet?)` });
      const payload = startWarningPayload(w);
      return Promise.all(endpoints.map((ep) => withTimeout(c.startWarning(ieee, ep, payload), timing.requestTimeoutMs, 'start warning')))
        .then(() => ({ ok: true as const }), (err: unknown) => ({ ok: false as const, detail: `start warning failed: ${errMsg(err)}` }));
    },
    stats: () => ({
      ...st,
      unconfiguredDevices: [...unconfigured.values()].map((u) => ({ ...u })),
      devices: [...byIeee.values()].map((d) => ({ ...d.stats })),
    }),
  };
}
