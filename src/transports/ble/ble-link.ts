import type { Logger } from 'pino';
import { ErrorCodes } from '../../core/errors.js';
import { decodeBleValue, type BleCharacteristicUse, type BleModel, type BleModelEntry } from '../../drivers/ble-registry.js';
import { createLinkSupervisor } from '../link-supervisor.js';
import { setupCharacteristics, type ValueSource } from './gatt-setup.js';
import { LinkFailure, adapterStateOf, describeError, problemCode } from './link-failure.js';
import type { BleAdapter, BleDevice } from './node-ble.js';
import { Session, type DeviceProperties } from './session.js';
import type { BleAdapterState, BleLinkStats, BleTiming, OnMeasurements } from './types.js';

export interface BleLinkOptions {
  id: string;
  model: BleModel;
  /** The model's characteristics (from the catalogue). */
  entry: BleModelEntry;
  address: string;
  adapter: string;
  busAddress: string;
  timing: BleTiming;
  log: Logger;
  now: () => number;
  onMeasurements: OnMeasurements;
  onAdapterState: (adapter: string, state: BleAdapterState) => void;
}

export interface BleLink {
  start(): void;
  stop(): Promise<void>;
  stats(): Readonly<BleLinkStats>;
}

const DISCONNECT_ON_STOP_MS = 2000;

/**
 * Keeps one BLE device connected: connect, resolve services, subscribe; when the link drops (the
 * wearer walked out of range, the adapter was reset, unplugged or powered off, bluetoothd
 * restarted) or an attempt fails, try again after an exponential backoff. Never throws into the
 * caller: every failure becomes a `problem` in stats and a log line, once per outage.
 */
export function createBleLink(o: BleLinkOptions): BleLink {
  const t = o.timing;
  const adapterPath = `/org/bluez/${o.adapter}`;
  const devicePath = `${adapterPath}/dev_${o.address.toUpperCase().replace(/:/g, '_')}`;
  // No jitter: a BLE link is this hub's own radio to one device, nobody else's retries to spread;
  // the backoff doubles per failure up to the ceiling, as the BLE tests expect.
  const sup = createLinkSupervisor({
    policy: { minMs: t.reconnectMinMs, maxMs: t.reconnectMaxMs, jitter: 'none' }, stableMs: t.stableMs, now: o.now,
    attempt: () => { void attempt(); },
  });
  const st: BleLinkStats = {
    id: o.id, model: o.model, address: o.address, adapter: o.adapter, state: 'idle', connected: false, problem: null,
    connects: 0, disconnects: 0, connectFailures: 0, notifications: 0, reads: 0, malformed: 0, handlerErrors: 0,
    lastError: null, lastErrorCode: null, lastMalformed: null, retryDelayMs: null, characteristics: [], retry: sup.status(),
  };

  const log = o.log.child({ device: o.id, address: o.address });
  let session: Session | null = null;
  let stopped = false;
  let outageLogged = false;
  let malformedLogged = false;

  function schedule(f: LinkFailure): void {
    if (stopped || sup.pending) return;
    st.state = 'retrying';
    st.retryDelayMs = sup.failed(f.problem, f.message);
  }

  function failed(f: LinkFailure): void {
    st.problem = f.problem;
    st.lastError = f.message;
    st.lastErrorCode = problemCode[f.problem];
    const a = adapterStateOf(f.problem);
    if (a) o.onAdapterState(o.adapter, a);
    const line = { code: st.lastErrorCode, problem: f.problem, err: f.message };
    if (!outageLogged) log.warn(line, 'BLE device not connected; retrying');
    else log.debug(line, 'BLE attempt failed; retrying');
    outageLogged = true;
    schedule(f);
  }

  /** The link went down: during set-up it ends the attempt, once established it starts the retries. */
  function down(s: Session, f: LinkFailure): void {
    if (s !== session || s.closed) return;
    if (st.state !== 'connected') { s.abort(f); return; }
    st.connected = false;
    st.disconnects++;
    session = null;
    void s.close(false, DISCONNECT_ON_STOP_MS);
    log.warn({ code: ErrorCodes.BLE_LOST, problem: f.problem, err: f.message }, 'BLE link lost; reconnecting');
    outageLogged = true;
    st.problem = f.problem;
    st.lastError = f.message;
    st.lastErrorCode = problemCode[f.problem];
    const a = adapterStateOf(f.problem);
    if (a) o.onAdapterState(o.adapter, a);
    schedule(f);
  }

  function onValue(s: Session, use: BleCharacteristicUse, value: Buffer, source: ValueSource): void {
    if (s.closed) return;
    const r = decodeBleValue(o.model, use.characteristic, value, o.entry);
    if (!r.ok) {
      st.malformed++;
      st.lastMalformed = `${use.name}: ${r.error} (${value.toString('hex')})`;
      const line = { code: ErrorCodes.BLE_MALFORMED, characteristic: use.characteristic, err: r.error, hex: value.toString('hex') };
      if (!malformedLogged) log.warn(line, 'malformed BLE value ignored');
      else log.debug(line, 'malformed BLE value ignored');
      malformedLogged = true;
      return;
    }
    if (source === 'read') st.reads++;
    else st.notifications++;
    if (r.measurements.length === 0) return;
    try {
      o.onMeasurements(o.id, r.measurements);
    } catch (err) {
      st.handlerErrors++;
      log.error({ code: ErrorCodes.INGEST_FAILED, err }, 'processing BLE measurements failed');
    }
  }

  async function findDevice(s: Session, adapter: BleAdapter): Promise<BleDevice> {
    try {
      return await s.step(adapter.getDevice(o.address), 'device-not-found', `looking up ${o.address}`);
    } catch (err) {
      if (!(err instanceof LinkFailure) || err.problem !== 'device-not-found') throw err;
    }
    if (t.discoveryTimeoutMs <= 0) {
      throw new LinkFailure('device-not-found', `BlueZ does not know ${o.address} and discovery is off: pair it once (bluetoothctl pair ${o.address})`);
    }
    // BlueZ only has objects for devices it has seen: scan for this one. Each link has its own
    // D-Bus connection, so BlueZ counts our scan as one client's; another link's scan already
    // running ("Discovery already in progress") finds our device just as well.
    s.deadline += t.discoveryTimeoutMs;
    let started = false;
    try {
      await s.step(adapter.startDiscovery(), 'device-not-found', 'starting an LE scan');
      started = true;
    } catch (err) {
      if (!(err instanceof LinkFailure) || !/already in progress/i.test(err.message)) throw err;
    }
    try {
      return await s.step(adapter.waitDevice(o.address, t.discoveryTimeoutMs, 250), 'device-not-found',
        `scanning ${Math.round(t.discoveryTimeoutMs / 1000)} s for ${o.address} (is it on, in range, and advertising?)`);
    } finally {
      if (started) adapter.stopDiscovery().catch(() => undefined);
    }
  }

  /** Watches what ends an established link: Connected false, the device or adapter objects removed, Powered false, bluetoothd gone. */
  async function watch(s: Session, onResolved: (v: boolean) => void): Promise<DeviceProperties> {
    const dev = await s.properties(devicePath, 'watching the device');
    if (!dev) throw new LinkFailure('device-not-found', `${devicePath} has no properties`);
    s.listen(dev, 'PropertiesChanged', (iface, changed) => {
      if (iface !== 'org.bluez.Device1') return;
      const c = changed as Record<string, { value: unknown } | undefined>;
      if (c.ServicesResolved) onResolved(c.ServicesResolved.value === true);
      if (c.Connected && c.Connected.value === false) down(s, new LinkFailure('lost', 'the device disconnected (out of range, switched off, or link supervision timeout)'));
    });
    const ad = await s.properties(adapterPath, 'watching the adapter');
    if (ad) {
      s.listen(ad, 'PropertiesChanged', (iface, changed) => {
        const p = (changed as Record<string, { value: unknown } | undefined>).Powered;
        if (iface === 'org.bluez.Adapter1' && p && p.value === false) down(s, new LinkFailure('adapter-powered-off', `adapter ${o.adapter} was powered off`));
      });
    }
    // Real BlueZ exports ObjectManager at /; if this one does not, the liveness check still notices.
    try {
      const root = await s.step(s.bus.getProxyObject('org.bluez', '/'), 'gatt-failed', 'watching BlueZ objects');
      s.listen(root.getInterface('org.freedesktop.DBus.ObjectManager'), 'InterfacesRemoved', (path, ifaces) => {
        const names = ifaces as string[];
        if (path === adapterPath && names.includes('org.bluez.Adapter1')) down(s, new LinkFailure('adapter-missing', `adapter ${o.adapter} disappeared`));
        else if (path === devicePath && names.includes('org.bluez.Device1')) down(s, new LinkFailure('lost', 'BlueZ removed the device'));
      });
    } catch (err) {
      if (err instanceof LinkFailure && err.problem === 'timeout') throw err;
    }
    return dev;
  }

  async function connectSequence(s: Session): Promise<void> {
    await s.step(s.busReady(), 'bus-unavailable', 'connecting to the D-Bus system bus');
    const names = await s.step(s.bluetooth.adapters(), 'bluez-unavailable', 'asking BlueZ for its adapters');
    if (!names.includes(o.adapter)) {
      throw new LinkFailure('adapter-missing', `adapter ${o.adapter} not found (BlueZ has: ${names.length ? names.join(', ') : 'none'})`);
    }
    const adapter = await s.step(s.bluetooth.getAdapter(o.adapter), 'adapter-missing', `opening ${o.adapter}`);
    if (!(await s.step(adapter.isPowered(), 'adapter-missing', `reading ${o.adapter}.Powered`))) {
      throw new LinkFailure('adapter-powered-off', `adapter ${o.adapter} is powered off (bluetoothctl power on; rfkill unblock bluetooth)`);
    }
    o.onAdapterState(o.adapter, 'ok');
    const device = await findDevice(s, adapter);
    s.device = device;

    let resolved = false;
    let resolvedWaiter: (() => void) | null = null;
    const dev = await watch(s, (v) => { resolved = v; if (v) resolvedWaiter?.(); });
    const alreadyConnected = ((await s.step(device.isConnected(), 'connect-failed', 'reading Connected')) as unknown) === true;
    if (!alreadyConnected) {
      s.connectCalled = true;
      await s.step(device.connect(), 'connect-failed', `connecting to ${o.address}`).catch((err: unknown) => {
        if (err instanceof LinkFailure && /AlreadyConnected/.test(err.message)) return;
        throw err;
      });
    }
    // Wait for ServicesResolved ourselves, listening before reading: node-ble's gatt() reads it and
    // only then subscribes, so a change in between is missed and gatt() waits forever.
    const now = (await s.step(dev.Get('org.bluez.Device1', 'ServicesResolved'), 'gatt-failed', 'reading ServicesResolved')).value === true;
    if (!now && !resolved) await s.step(new Promise<void>((r) => { resolvedWaiter = r; }), 'gatt-failed', 'waiting for the GATT services to be resolved');
    const gatt = await s.step(device.gatt(), 'gatt-failed', 'enumerating GATT services');
    st.characteristics = await setupCharacteristics(s, gatt, o.entry, o.model, o.address,
      (use, value, source) => onValue(s, use, value, source), t.opTimeoutMs, o.now);
  }

  function startLiveness(s: Session): void {
    let inFlight = false;
    const timer = setInterval(() => {
      if (inFlight || s.closed || !s.device) return;
      inFlight = true;
      s.step(s.device.isConnected(), 'lost', 'liveness check', t.opTimeoutMs)
        .then((c) => { if ((c as unknown) !== true) down(s, new LinkFailure('lost', 'the device is no longer connected (liveness check)')); })
        .catch((err: unknown) => down(s, err instanceof LinkFailure ? err : new LinkFailure('lost', describeError(err))))
        .finally(() => { inFlight = false; });
    }, t.livenessMs);
    s.timers.push(timer);
  }

  async function attempt(): Promise<void> {
    if (stopped) return;
    st.state = 'connecting';
    st.retryDelayMs = null;
    let s: Session;
    try {
      s = new Session(o.busAddress, o.now, t.connectTimeoutMs, (f) => down(s, f));
    } catch (err) {
      // dbus-next parses the address synchronously and throws on one it cannot use.
      st.connectFailures++;
      failed(new LinkFailure('bus-unavailable', `D-Bus address ${o.busAddress}: ${describeError(err)}`, { cause: err }));
      return;
    }
    session = s;
    try {
      await connectSequence(s);
      if (s.closed) return;
      // The link dropped after the last step had already answered.
      if (s.abortedWith) throw s.abortedWith;
      st.state = 'connected';
      st.connected = true;
      st.connects++;
      st.problem = null;
      st.lastError = null;
      st.lastErrorCode = null;
      sup.up();
      outageLogged = false;
      malformedLogged = false;
      log.info({ model: o.model, characteristics: st.characteristics, connects: st.connects }, 'BLE device connected');
      startLiveness(s);
    } catch (err) {
      if (stopped || s !== session) return;
      st.connectFailures++;
      session = null;
      await s.close(s.connectCalled, DISCONNECT_ON_STOP_MS);
      failed(err instanceof LinkFailure ? err : new LinkFailure('connect-failed', describeError(err), { cause: err }));
    }
  }

  return {
    start() {
      if (st.state !== 'idle') return;
      void attempt();
    },
    async stop() {
      stopped = true;
      sup.stop();
      st.state = 'stopped';
      st.retryDelayMs = null;
      const s = session;
      session = null;
      const wasConnected = st.connected;
      st.connected = false;
      if (s) await s.close(wasConnected || s.connectCalled, DISCONNECT_ON_STOP_MS);
    },
    stats: () => st,
  };
}
