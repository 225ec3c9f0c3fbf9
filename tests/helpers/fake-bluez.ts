/**
 * A fake bluetoothd for the real node-ble: it owns `org.bluez` on a private dbus-daemon and exports
 * the objects of BlueZ's D-Bus API (doc/org.bluez.Adapter.rst, Device.rst, GattService.rst,
 * GattCharacteristic.rst in the BlueZ tree) with dbus-next, so node-ble finds them the way it finds
 * real ones: by introspecting object paths.
 *
 *   /                                   org.freedesktop.DBus.ObjectManager
 *   /org/bluez                          org.bluez.AgentManager1   (node-ble lists adapters from here)
 *   /org/bluez/hci0                     org.bluez.Adapter1
 *   /org/bluez/hci0/dev_AA_BB_..        org.bluez.Device1
 *   /org/bluez/hci0/dev_../serviceNNNN  org.bluez.GattService1
 *   /org/bluez/hci0/dev_../serviceNNNN/charNNNN  org.bluez.GattCharacteristic1
 *
 * Notifications are what BlueZ sends: PropertiesChanged on GattCharacteristic1.Value. The test
 * drives the radio side: push a notification, drop a connection, take the device out of range,
 * remove the adapter (unplugged dongle) and bring it back, power it off.
 */
import { dbus, type MessageBus } from '../../src/transports/ble/node-ble.js';
import { startPrivateBus, type PrivateBus } from './dbus-daemon.js';
import {
  Adapter1, AgentManager1, Device1, GattCharacteristic1, GattService1, ObjectManager, changed, full, variantsOf, withTimeout,
  type DeviceHost, type Iface,
} from './fake-bluez-objects.js';

export interface FakeCharacteristicSpec {
  /** 16-bit (e.g. '2a37') or 128-bit UUID. */
  uuid: string;
  flags: Array<'read' | 'notify' | 'indicate' | 'write'>;
  /** What ReadValue returns until set otherwise. */
  value?: Uint8Array;
}
export interface FakeServiceSpec { uuid: string; characteristics: FakeCharacteristicSpec[] }
export interface FakeDeviceSpec {
  address: string;
  name?: string;
  services: FakeServiceSpec[];
  /** false: BlueZ has never seen it; it appears only once a discovery runs. Default true. */
  known?: boolean;
  /** Service UUIDs in its advertisements (Device1.UUIDs); default: the uuids of `services`. */
  advertised?: string[];
  /** Device1.RSSI, dBm, present only while a discovery hears it (BlueZ drops it when discovery stops); default -60. */
  rssi?: number;
}

export interface FakeDevice {
  readonly address: string;
  readonly path: string;
  /** When Connect was called, ms since the epoch, in order. */
  readonly connectCalls: readonly number[];
  readonly connected: boolean;
  /** ReadValue calls answered. */
  readonly reads: number;
  isNotifying(uuid: string): boolean;
  /** Sends a notification (PropertiesChanged on Value) if the client enabled them; false if it did not. */
  notify(uuid: string, value: Uint8Array): boolean;
  /** The value ReadValue returns from now on. */
  setValue(uuid: string, value: Uint8Array): void;
  /** The link drops, as when the wearer walks away: Connected and ServicesResolved go false. */
  drop(): void;
  /** Out of range: Connect fails (le-connection-abort-by-local) until back in range. */
  setInRange(inRange: boolean): void;
  /** 'hang': Connect never answers (a wedged bluetoothd), to exercise the client's timeouts. */
  setConnectBehaviour(b: 'normal' | 'hang'): void;
}

export interface FakeBluez {
  readonly busAddress: string;
  readonly adapterPath: string;
  readonly discoveryStarts: number;
  /** The adapter is scanning (StartDiscovery called and not stopped). */
  readonly discovering: boolean;
  addDevice(spec: FakeDeviceSpec): FakeDevice;
  /** The adapter disappears (USB dongle pulled, controller reset): hci0 and everything below it is unexported. */
  removeAdapter(): void;
  /** It comes back: hci0 and the known devices, all disconnected. */
  restoreAdapter(): void;
  /** Adapter1.Powered; powering off drops every connection first, as BlueZ does. */
  setPowered(on: boolean): void;
  /** bluetoothd dies: its bus connection closes and org.bluez has no owner; links die silently. */
  crash(): void;
  /** bluetoothd dies while a call to it is on the way: the next method call it receives kills it, unanswered. */
  crashOnNextCall(): void;
  /** bluetoothd starts again: owns org.bluez and exports the same objects, all disconnected. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

class FakeDeviceImpl implements FakeDevice, DeviceHost {
  readonly connectCalls: number[] = [];
  reads = 0;
  inRange = true;
  connectBehaviour: 'normal' | 'hang' = 'normal';
  known: boolean;
  readonly path: string;
  readonly name: string;
  readonly advertised: string[];
  readonly rssi: number;
  readonly device: Device1;
  readonly objects: Array<[string, Iface]> = [];
  private readonly chars = new Map<string, GattCharacteristic1>();

  constructor(readonly bluez: FakeBluezImpl, readonly address: string, spec: FakeDeviceSpec) {
    this.name = spec.name ?? `fake ${address}`;
    this.known = spec.known ?? true;
    this.advertised = (spec.advertised ?? spec.services.map((x) => x.uuid)).map(full);
    this.rssi = spec.rssi ?? -60;
    this.path = `${bluez.adapterPath}/dev_${address.toUpperCase().replace(/:/g, '_')}`;
    this.device = new Device1(this);
    this.objects.push([this.path, this.device]);
    let handle = 0x000a;
    for (const s of spec.services) {
      const sPath = `${this.path}/service${handle.toString(16).padStart(4, '0')}`;
      handle++;
      this.objects.push([sPath, new GattService1(full(s.uuid), this.path)]);
      for (const c of s.characteristics) {
        const cPath = `${sPath}/char${handle.toString(16).padStart(4, '0')}`;
        handle += 2;
        const ch = new GattCharacteristic1(this, full(c.uuid), sPath, c.flags, Buffer.from(c.value ?? []));
        this.chars.set(full(c.uuid), ch);
        this.objects.push([cPath, ch]);
      }
    }
  }

  get connected() { return this.device.Connected; }
  get adapterPath() { return this.bluez.adapterPath; }
  adapterPowered() { return this.bluez.adapter.Powered; }

  private char(uuid: string): GattCharacteristic1 {
    const c = this.chars.get(full(uuid));
    if (!c) throw new Error(`fake device ${this.address} has no characteristic ${uuid}`);
    return c;
  }

  isNotifying(uuid: string) { return this.char(uuid).Notifying; }

  notify(uuid: string, value: Uint8Array) {
    const c = this.char(uuid);
    if (!this.device.Connected || !c.Notifying) return false;
    c.Value = Buffer.from(value);
    changed(c, { Value: c.Value });
    return true;
  }

  setValue(uuid: string, value: Uint8Array) { this.char(uuid).Value = Buffer.from(value); }

  /** Link down: what BlueZ signals when the supervision timeout expires. */
  linkDown(signal = true) {
    for (const c of this.chars.values()) {
      if (c.Notifying) { c.Notifying = false; if (signal) changed(c, { Notifying: false }); }
    }
    if (this.device.Connected || this.device.ServicesResolved) {
      this.device.Connected = false;
      this.device.ServicesResolved = false;
      if (signal) changed(this.device, { ServicesResolved: false, Connected: false });
    }
  }

  drop() { this.linkDown(); }
  setInRange(inRange: boolean) { this.inRange = inRange; }
  setConnectBehaviour(b: 'normal' | 'hang') { this.connectBehaviour = b; }
}

class FakeBluezImpl implements FakeBluez {
  readonly adapterPath = '/org/bluez/hci0';
  readonly adapter: Adapter1;
  readonly objects = new Map<string, Iface[]>();
  readonly devices: FakeDeviceImpl[] = [];
  private readonly om: ObjectManager;
  discoveryStarts = 0;
  private adapterPresent = true;

  constructor(public bus: MessageBus, private readonly privateBus: PrivateBus) {
    this.adapter = new Adapter1(this);
    this.om = new ObjectManager(this.objects);
    bus.export('/', this.om);
    this.put('/org/bluez', new AgentManager1(), false);
    this.put(this.adapterPath, this.adapter);
  }

  get busAddress() { return this.privateBus.address; }
  get discovering() { return this.adapter.Discovering; }

  private put(path: string, iface: Iface, announce = true) {
    this.bus.export(path, iface);
    this.objects.set(path, [...(this.objects.get(path) ?? []), iface]);
    if (announce) this.om.InterfacesAdded(path, { [(iface as unknown as { $name: string }).$name]: variantsOf(iface) });
  }

  private remove(path: string) {
    const ifaces = this.objects.get(path);
    if (!ifaces) return;
    this.objects.delete(path);
    for (const i of ifaces) this.bus.unexport(path, i);
    this.om.InterfacesRemoved(path, ifaces.map((i) => (i as unknown as { $name: string }).$name));
  }

  private exportDevice(d: FakeDeviceImpl) {
    for (const [path, iface] of d.objects) this.put(path, iface);
  }

  addDevice(spec: FakeDeviceSpec): FakeDevice {
    const d = new FakeDeviceImpl(this, spec.address, spec);
    this.devices.push(d);
    if (d.known && this.adapterPresent) this.exportDevice(d);
    return d;
  }

  revealDiscoverable() {
    if (!this.adapterPresent || !this.adapter.Discovering) return;
    for (const d of this.devices) {
      if (!d.inRange) continue;
      d.device.setHeard(true);
      if (!d.known) { d.known = true; this.exportDevice(d); }
    }
  }

  discoveryStopped() {
    for (const d of this.devices) d.device.setHeard(false);
  }

  removeAdapter() {
    if (!this.adapterPresent) return;
    this.adapterPresent = false;
    // The controller is gone: links die with it, without a Connected=false first (BlueZ removes
    // the objects; clients learn it from InterfacesRemoved or from their next call failing).
    for (const d of this.devices) d.linkDown(false);
    const paths = [...this.objects.keys()].filter((p) => p === this.adapterPath || p.startsWith(`${this.adapterPath}/`));
    for (const p of paths.sort((a, b) => b.length - a.length)) this.remove(p);
    this.adapter.Discovering = false;
  }

  restoreAdapter() {
    if (this.adapterPresent) return;
    this.adapterPresent = true;
    this.put(this.adapterPath, this.adapter);
    for (const d of this.devices) if (d.known) this.exportDevice(d);
  }

  setPowered(on: boolean) {
    if (!on) for (const d of this.devices) d.linkDown();
    this.adapter.Powered = on;
    changed(this.adapter, { Powered: on });
  }

  crash() {
    for (const d of this.devices) d.linkDown(false);
    this.adapter.Discovering = false;
    // Unexport first: dbus-next keeps the interfaces' signal handlers on the old bus otherwise.
    for (const [path, ifaces] of this.objects) for (const i of ifaces) this.bus.unexport(path, i);
    this.bus.unexport('/', this.om);
    // A dead process answers nothing. dbus-next would still read what the bus had already sent it
    // and answer it on the closed stream, which throws out of its socket handler: an uncaught
    // "Cannot send message, stream is closed" in the test process (seen with parallel test files).
    // A method handler that claims every call keeps it from answering; dbus-daemon tells the
    // callers NoReply, as it does when the real bluetoothd dies.
    this.bus.addMethodHandler(() => true);
    this.bus.disconnect();
  }

  crashOnNextCall() {
    const bus = this.bus;
    const onMessage = (m: { type: number }) => {
      if (m.type !== dbus.MessageType.METHOD_CALL) return;
      bus.removeListener('message', onMessage);
      this.crash();
    };
    bus.on('message', onMessage);
  }

  async restart() {
    this.bus = await ownBluezName(this.privateBus.address, 5000);
    this.bus.export('/', this.om);
    for (const [path, ifaces] of this.objects) for (const i of ifaces) this.bus.export(path, i);
  }

  async stop() {
    this.bus.disconnect();
    await this.privateBus.stop();
  }
}

/** A bus connection that owns org.bluez. */
async function ownBluezName(address: string, timeoutMs: number): Promise<MessageBus> {
  const bus = dbus.sessionBus({ busAddress: address });
  try {
    // dbus-next reports a connection failure only as an 'error' event, and leaves calls pending.
    await withTimeout(new Promise<void>((resolve, reject) => { bus.once('connect', resolve); bus.once('error', reject); }), timeoutMs, 'fake BlueZ connecting to the private bus');
    bus.on('error', () => undefined);
    const DO_NOT_QUEUE = 4;
    const reply = await withTimeout(bus.requestName('org.bluez', DO_NOT_QUEUE), timeoutMs, 'RequestName org.bluez');
    if (reply !== 1) throw new Error(`could not own org.bluez on the private bus (reply ${reply})`);
    return bus;
  } catch (err) {
    bus.disconnect();
    throw err;
  }
}

/** Starts a private dbus-daemon and a fake BlueZ with one powered adapter, hci0, on it. */
export async function startFakeBluez(timeoutMs = 5000): Promise<FakeBluez> {
  const privateBus = await startPrivateBus(timeoutMs);
  try {
    return new FakeBluezImpl(await ownBluezName(privateBus.address, timeoutMs), privateBus);
  } catch (err) {
    await privateBus.stop();
    throw err;
  }
}
