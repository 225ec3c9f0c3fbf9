import { LinkFailure, describeError } from './link-failure.js';
import { Session } from './session.js';
import type { BleProblem } from './types.js';

/**
 * One LE scan on a local adapter, for `anjuctl pair --ble` (the local-only `ble-scan` command):
 * starts discovery through node-ble, lets advertisements arrive for `seconds`, lists every device
 * BlueZ then knows on that adapter with what it advertised (read before the scan stops: stopping
 * drops the RSSIs), and stops it. Its own D-Bus
 * connection, closed at the end, like a BLE link (node-ble.ts says why); every call has a deadline.
 *
 * If another client is scanning already ("Discovery already in progress": a BLE link looking for
 * its device, or bluetoothctl), that scan serves us just as well and we do not stop it.
 * BlueZ keeps devices it saw earlier (paired, or seen in an earlier scan): they are listed too;
 * `rssi` is null for those not heard in this scan.
 */
export interface BleScanDevice {
  address: string;
  /** Device1.Name, else Alias (BlueZ makes the alias from the address when there is no name). */
  name: string | null;
  /** dBm of the last advertisement heard; null: not heard in this scan. */
  rssi: number | null;
  /** Advertised service UUIDs, lower case, as BlueZ reports them (128-bit). */
  uuids: string[];
  paired: boolean;
  connected: boolean;
}

export type BleScanResult =
  | { ok: true; adapter: string; seconds: number; startedDiscovery: boolean; devices: BleScanDevice[] }
  | { ok: false; problem: BleProblem; message: string };

export interface BleScanOptions {
  busAddress: string;
  adapter: string;
  seconds: number;
  /** Deadline for everything but the listening itself (bus, adapter, listing). Default 10 s. */
  callTimeoutMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function scanBle(o: BleScanOptions): Promise<BleScanResult> {
  const callMs = o.callTimeoutMs ?? 10_000;
  let busFailure: LinkFailure | null = null;
  const s = new Session(o.busAddress, () => performance.now(), callMs + o.seconds * 1000 + callMs, (f) => { busFailure ??= f; });
  let started = false;
  try {
    await s.step(s.busReady(), 'bus-unavailable', 'connecting to the D-Bus system bus', callMs);
    const names = await s.step(s.bluetooth.adapters(), 'bluez-unavailable', 'asking BlueZ for its adapters', callMs);
    if (!names.includes(o.adapter)) {
      throw new LinkFailure('adapter-missing', `adapter ${o.adapter} not found (BlueZ has: ${names.length ? names.join(', ') : 'none'})`);
    }
    const adapter = await s.step(s.bluetooth.getAdapter(o.adapter), 'adapter-missing', `opening ${o.adapter}`, callMs);
    if (!(await s.step(adapter.isPowered(), 'adapter-missing', `reading ${o.adapter}.Powered`, callMs))) {
      throw new LinkFailure('adapter-powered-off', `adapter ${o.adapter} is powered off (bluetoothctl power on; rfkill unblock bluetooth)`);
    }
    try {
      await s.step(adapter.startDiscovery(), 'device-not-found', 'starting an LE scan', callMs);
      started = true;
    } catch (err) {
      if (!(err instanceof LinkFailure) || !/already in progress/i.test(err.message)) throw err;
    }
    await s.step(sleep(o.seconds * 1000), 'timeout', 'scanning', o.seconds * 1000 + callMs);
    // Read while still scanning: when discovery stops, BlueZ drops every device's RSSI and removes
    // devices it only saw advertising (src/adapter.c, discovery_cleanup). Stopped in `finally`.
    const addresses = await s.step(adapter.devices(), 'bluez-unavailable', 'listing the devices BlueZ knows', callMs);
    const devices: BleScanDevice[] = [];
    for (const address of addresses) {
      // Device1.GetAll through node-ble's helper: node-ble has no getter for UUIDs, and one call
      // gives everything; a device removed in between is skipped.
      const dev = await s.step(adapter.getDevice(address), 'device-not-found', `opening ${address}`, callMs).catch(() => null);
      if (!dev) continue;
      const helper = (dev as unknown as { helper: { props(): Promise<Record<string, unknown>> } }).helper;
      const p = await s.step(helper.props(), 'device-not-found', `reading ${address}`, callMs).catch(() => null);
      if (!p) continue;
      const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : null);
      devices.push({
        address: str(p.Address)?.toUpperCase() ?? address.toUpperCase(),
        name: str(p.Name) ?? str(p.Alias),
        rssi: typeof p.RSSI === 'number' ? p.RSSI : null,
        uuids: Array.isArray(p.UUIDs) ? p.UUIDs.filter((u): u is string => typeof u === 'string').map((u) => u.toLowerCase()) : [],
        paired: p.Paired === true,
        connected: p.Connected === true,
      });
    }
    // Strongest first; devices not heard in this scan last.
    devices.sort((a, b) => (b.rssi ?? -1000) - (a.rssi ?? -1000) || a.address.localeCompare(b.address));
    return { ok: true, adapter: o.adapter, seconds: o.seconds, startedDiscovery: started, devices };
  } catch (err) {
    const f = busFailure ?? (err instanceof LinkFailure ? err : new LinkFailure('bluez-unavailable', describeError(err)));
    return { ok: false, problem: f.problem, message: f.message };
  } finally {
    if (started) await s.step(s.bluetooth.getAdapter(o.adapter).then((a) => a.stopDiscovery()), 'timeout', 'stopping the LE scan', callMs).catch(() => undefined);
    await s.close(false, 0);
  }
}
