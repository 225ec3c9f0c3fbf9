import { LinkFailure, describeError, problemFromDbusError } from './link-failure.js';
import { bluetoothOn, openBus, type BleDevice, type Bluetooth, type MessageBus } from './node-ble.js';
import type { BleProblem } from './types.js';

type Listener = (...args: unknown[]) => void;
interface SignalSource { on(event: string, fn: Listener): unknown; removeListener(event: string, fn: Listener): unknown }
/** A dbus-next proxy of org.freedesktop.DBus.Properties. */
export type DeviceProperties = SignalSource & { Get(iface: string, prop: string): Promise<{ value: unknown }> };

/**
 * One connection attempt and, if it succeeds, the link it set up: its own D-Bus connection (see
 * node-ble.ts for why), node-ble's objects on it, the timers of the link. Closing it ends the D-Bus
 * connection, which drops every match rule and notification session BlueZ held for it.
 *
 * Every D-Bus call goes through step(): dbus-next never times a call out, and a call to a bus or
 * a bluetoothd that stopped answering would wait forever; a step also ends at once when the
 * session is closed or the link drops while it is being set up.
 */
export class Session {
  readonly bus: MessageBus;
  readonly bluetooth: Bluetooth;
  device: BleDevice | null = null;
  /** Device1.Connect was called: a failed set-up should Disconnect, or BlueZ keeps the link. */
  connectCalled = false;
  closed = false;
  /** Attempt deadline (ms, `now()` clock); discovery pushes it back. */
  deadline: number;
  readonly timers: NodeJS.Timeout[] = [];
  private readonly aborted: Promise<never>;
  private rejectAborted!: (f: LinkFailure) => void;
  private readonly subscriptions: Array<() => void> = [];
  private busError: LinkFailure | null = null;

  constructor(busAddress: string, private readonly now: () => number, connectTimeoutMs: number, onBusError: (f: LinkFailure) => void) {
    this.deadline = now() + connectTimeoutMs;
    this.aborted = new Promise<never>((_, reject) => { this.rejectAborted = reject; });
    this.aborted.catch(() => undefined); // observed through step(); never an unhandled rejection
    this.bus = openBus(busAddress);
    // An 'error' event without a listener would throw out of the EventEmitter and end the daemon.
    this.bus.on('error', (err: unknown) => {
      const f = new LinkFailure('bus-unavailable', `D-Bus: ${describeError(err)}`, { cause: err });
      this.busError ??= f;
      this.abort(f);
      onBusError(f);
    });
    this.bluetooth = bluetoothOn(this.bus);
  }

  /** Resolves when the bus connection is up (Hello answered). */
  busReady(): Promise<void> {
    if (this.busError) return Promise.reject(this.busError);
    // dbus-next sets `name` (our unique name) once Hello is answered; its typings omit it.
    if ((this.bus as unknown as { name: string | null }).name) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.bus.once('connect', () => resolve());
      this.bus.once('error', (err: unknown) => reject(err));
    });
  }

  /** The first reason the attempt was aborted (link dropped, bus error, closed), if any. */
  abortedWith: LinkFailure | null = null;

  abort(f: LinkFailure): void {
    this.abortedWith ??= f;
    this.rejectAborted(f);
  }

  /**
   * Awaits `p` until the attempt deadline (or `timeoutMs` when given), the session closing, or the
   * link dropping; maps its error to `problem` unless the D-Bus error names a more specific one.
   */
  async step<T>(p: Promise<T>, problem: BleProblem, what: string, timeoutMs?: number): Promise<T> {
    const ms = Math.max(0, timeoutMs ?? this.deadline - this.now());
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new LinkFailure('timeout', `${what}: no answer within ${Math.round(ms)} ms`)), ms);
    });
    try {
      return await Promise.race([p, timeout, this.aborted]);
    } catch (err) {
      if (err instanceof LinkFailure) throw err;
      throw new LinkFailure(problemFromDbusError(err) ?? problem, `${what}: ${describeError(err)}`, { cause: err });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Adds a signal listener on a proxy interface, removed again when the session closes. */
  listen(source: SignalSource, event: string, fn: Listener): void {
    source.on(event, fn);
    this.subscriptions.push(() => source.removeListener(event, fn));
  }

  /** `org.freedesktop.DBus.Properties` of a BlueZ object, or null when it has none (it vanished). */
  async properties(path: string, what: string): Promise<DeviceProperties | null> {
    const obj = await this.step(this.bus.getProxyObject('org.bluez', path), 'gatt-failed', what);
    try {
      return obj.getInterface('org.freedesktop.DBus.Properties') as unknown as DeviceProperties;
    } catch {
      return null;
    }
  }

  async close(disconnectDevice: boolean, disconnectTimeoutMs: number): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.abort(new LinkFailure('lost', 'session closed'));
    for (const t of this.timers) clearTimeout(t);
    for (const off of this.subscriptions) { try { off(); } catch { /* the bus may be gone already */ } }
    const device = this.device;
    if (disconnectDevice && device) {
      // Best effort: tell BlueZ to drop the radio link so the wearable can sleep; never wait long.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        device.disconnect().catch(() => undefined),
        new Promise((r) => { timer = setTimeout(r, disconnectTimeoutMs); }),
      ]);
      clearTimeout(timer);
    }
    try { this.bus.disconnect(); } catch { /* already closed */ }
  }
}
