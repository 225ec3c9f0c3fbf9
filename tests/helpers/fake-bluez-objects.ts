/**
 * The D-Bus objects of the fake BlueZ (fake-bluez.ts): dbus-next service interfaces shaped like
 * BlueZ's own (BlueZ doc/org.bluez.Adapter.rst, Device.rst, GattService.rst,
 * GattCharacteristic.rst), with the behaviour the transport depends on.
 */
import { dbus } from '../../src/transports/ble/node-ble.js';

/** What Adapter1 needs from the fake bluetoothd. */
export interface AdapterHost {
  discoveryStarts: number;
  revealDiscoverable(): void;
  /** Discovery stopped: BlueZ invalidates the RSSI of every device (src/adapter.c, discovery_cleanup). */
  discoveryStopped(): void;
}

/** What Device1 and GattCharacteristic1 need from their fake device. */
export interface DeviceHost {
  readonly address: string;
  readonly name: string;
  readonly adapterPath: string;
  /** Advertised service UUIDs (128-bit, lower case) and signal strength, as BlueZ lists them after a scan. */
  readonly advertised: string[];
  readonly rssi: number;
  readonly connectCalls: number[];
  readonly inRange: boolean;
  readonly connectBehaviour: 'normal' | 'hang';
  reads: number;
  readonly device: Device1;
  adapterPowered(): boolean;
  linkDown(): void;
}

const { Interface } = dbus.interface;
export type Iface = InstanceType<typeof Interface>;
const DBusErrorCtor = dbus.DBusError as unknown as new (type: string, text: string) => Error;
export const bluezError = (name: string, text: string) => new DBusErrorCtor(`org.bluez.Error.${name}`, text);
export const full = (u: string) => (u.length === 4 ? `0000${u.toLowerCase()}-0000-1000-8000-00805f9b34fb` : u.toLowerCase());

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, rej) => { t = setTimeout(() => rej(new Error(`${what}: no answer within ${ms} ms`)), ms); })]).finally(() => clearTimeout(t));
}

/** PropertiesChanged for the given properties of an exported interface. */
export const changed = (iface: Iface, props: Record<string, unknown>) => Interface.emitPropertiesChanged(iface, props, []);

/** {prop: Variant} of every property, for ObjectManager. */
export function variantsOf(iface: Iface): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const props = (iface as unknown as { $properties?: Record<string, { signature: string; disabled?: boolean }> }).$properties ?? {};
  for (const [k, p] of Object.entries(props)) if (!p.disabled) out[k] = new dbus.Variant(p.signature, (iface as unknown as Record<string, unknown>)[k]);
  return out;
}

export class ObjectManager extends Interface {
  constructor(private readonly objects: Map<string, Iface[]>) { super('org.freedesktop.DBus.ObjectManager'); }
  GetManagedObjects() {
    const out: Record<string, Record<string, unknown>> = {};
    for (const [path, ifaces] of this.objects) out[path] = Object.fromEntries(ifaces.map((i) => [(i as unknown as { $name: string }).$name, variantsOf(i)]));
    return out;
  }
  InterfacesAdded(path: string, ifaces: Record<string, unknown>) { return [path, ifaces]; }
  InterfacesRemoved(path: string, names: string[]) { return [path, names]; }
}
ObjectManager.configureMembers({
  methods: { GetManagedObjects: { outSignature: 'a{oa{sa{sv}}}' } },
  signals: { InterfacesAdded: { signature: 'oa{sa{sv}}' }, InterfacesRemoved: { signature: 'oas' } },
});

export class AgentManager1 extends Interface {
  constructor() { super('org.bluez.AgentManager1'); }
  RegisterAgent() {}
  UnregisterAgent() {}
  RequestDefaultAgent() {}
}
AgentManager1.configureMembers({
  methods: { RegisterAgent: { inSignature: 'os' }, UnregisterAgent: { inSignature: 'o' }, RequestDefaultAgent: { inSignature: 'o' } },
});

export class Adapter1 extends Interface {
  Address = '00:1A:7D:DA:71:13';
  AddressType = 'public';
  Name = 'anju-test';
  Alias = 'anju-test';
  Powered = true;
  Discovering = false;
  constructor(private readonly bluez: AdapterHost) { super('org.bluez.Adapter1'); }
  SetDiscoveryFilter() {}
  StartDiscovery() {
    if (!this.Powered) throw bluezError('NotReady', 'Resource Not Ready');
    this.bluez.discoveryStarts++;
    this.Discovering = true;
    changed(this, { Discovering: true });
    // Devices in range show up a moment after the scan starts, as advertisements arrive.
    setTimeout(() => this.bluez.revealDiscoverable(), 100);
  }
  StopDiscovery() {
    this.Discovering = false;
    changed(this, { Discovering: false });
    this.bluez.discoveryStopped();
  }
  RemoveDevice() {}
}
Adapter1.configureMembers({
  properties: {
    Address: { signature: 's', access: 'read' }, AddressType: { signature: 's', access: 'read' }, Name: { signature: 's', access: 'read' },
    Alias: { signature: 's', access: 'read' }, Powered: { signature: 'b', access: 'read' }, Discovering: { signature: 'b', access: 'read' },
  },
  methods: { SetDiscoveryFilter: { inSignature: 'a{sv}' }, StartDiscovery: {}, StopDiscovery: {}, RemoveDevice: { inSignature: 'o' } },
});

export class Device1 extends Interface {
  Address: string;
  AddressType = 'random';
  Name: string;
  Alias: string;
  Paired = false;
  Connected = false;
  ServicesResolved = false;
  Adapter: string;
  UUIDs: string[];
  RSSI: number;
  constructor(private readonly dev: DeviceHost) {
    super('org.bluez.Device1');
    // Per-device property table, so RSSI can exist for one device and not another, as in BlueZ:
    // only while a discovery hears the device's advertisements.
    const own = this as unknown as { $properties: Record<string, { disabled?: boolean }> };
    own.$properties = Object.fromEntries(Object.entries(own.$properties).map(([k, v]) => [k, { ...v }]));
    own.$properties.RSSI!.disabled = true;
    this.UUIDs = dev.advertised;
    this.RSSI = dev.rssi;
    this.Address = dev.address;
    this.Name = dev.name;
    this.Alias = dev.name;
    this.Adapter = dev.adapterPath;
  }
  async Connect() {
    const d = this.dev;
    d.connectCalls.push(Date.now());
    if (!d.adapterPowered()) throw bluezError('NotReady', 'Resource Not Ready');
    if (d.connectBehaviour === 'hang') return new Promise<void>(() => undefined);
    if (!d.inRange) {
      await new Promise((r) => setTimeout(r, 20)); // a page timeout, much shortened
      throw bluezError('Failed', 'le-connection-abort-by-local');
    }
    if (this.Connected) return;
    this.Connected = true;
    changed(this, { Connected: true });
    // BlueZ answers Connect once the link is up, and resolves the GATT database afterwards.
    setTimeout(() => {
      if (!this.Connected) return;
      this.ServicesResolved = true;
      changed(this, { ServicesResolved: true });
    }, 30);
  }
  Disconnect() { this.dev.linkDown(); }
  /** Heard in a running discovery (RSSI present), or not (absent). */
  setHeard(heard: boolean) {
    const p = (this as unknown as { $properties: Record<string, { disabled?: boolean }> }).$properties.RSSI!;
    if (p.disabled === !heard) return;
    p.disabled = !heard;
    if (heard) changed(this, { RSSI: this.RSSI });
    else Interface.emitPropertiesChanged(this, {}, ['RSSI']);
  }
  Pair() { this.Paired = true; }
  CancelPair() {}
}
Device1.configureMembers({
  properties: {
    Address: { signature: 's', access: 'read' }, AddressType: { signature: 's', access: 'read' }, Name: { signature: 's', access: 'read' },
    Alias: { signature: 's', access: 'read' }, Paired: { signature: 'b', access: 'read' }, Connected: { signature: 'b', access: 'read' },
    ServicesResolved: { signature: 'b', access: 'read' }, Adapter: { signature: 'o', access: 'read' },
    UUIDs: { signature: 'as', access: 'read' }, RSSI: { signature: 'n', access: 'read' },
  },
  methods: { Connect: {}, Disconnect: {}, Pair: {}, CancelPair: {} },
});

export class GattService1 extends Interface {
  Primary = true;
  constructor(public UUID: string, public Device: string) { super('org.bluez.GattService1'); }
}
GattService1.configureMembers({
  properties: { UUID: { signature: 's', access: 'read' }, Primary: { signature: 'b', access: 'read' }, Device: { signature: 'o', access: 'read' } },
});

export class GattCharacteristic1 extends Interface {
  Value: Buffer;
  Notifying = false;
  constructor(private readonly dev: DeviceHost, public UUID: string, public Service: string, public Flags: string[], value: Buffer) {
    super('org.bluez.GattCharacteristic1');
    this.Value = value;
  }
  ReadValue() {
    if (!this.dev.device.Connected) throw bluezError('Failed', 'Not connected');
    if (!this.Flags.includes('read')) throw bluezError('NotPermitted', 'Read not permitted');
    this.dev.reads++;
    // Like BlueZ, a read updates the cached Value and emits PropertiesChanged for it. Sent here
    // before the reply (the order a client can least expect; BlueZ's idle-time signal usually
    // follows the reply, often in the same socket read).
    changed(this, { Value: this.Value });
    return this.Value;
  }
  WriteValue() {}
  StartNotify() {
    if (!this.dev.device.Connected) throw bluezError('Failed', 'Not connected');
    if (!this.Flags.includes('notify') && !this.Flags.includes('indicate')) throw bluezError('NotSupported', 'Operation is not supported');
    this.Notifying = true;
    changed(this, { Notifying: true });
  }
  StopNotify() {
    this.Notifying = false;
    changed(this, { Notifying: false });
  }
}
GattCharacteristic1.configureMembers({
  properties: {
    UUID: { signature: 's', access: 'read' }, Service: { signature: 'o', access: 'read' }, Value: { signature: 'ay', access: 'read' },
    Notifying: { signature: 'b', access: 'read' }, Flags: { signature: 'as', access: 'read' },
  },
  methods: { ReadValue: { inSignature: 'a{sv}', outSignature: 'ay' }, WriteValue: { inSignature: 'aya{sv}' }, StartNotify: {}, StopNotify: {} },
});

