import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { DaemonStatus } from './daemon.js';

/**
 * sd_notify(3) for anjud, without a native addon: each message is sent by Debian's
 * `systemd-notify` (package systemd, so on every Raspberry Pi OS / Debian system that runs us).
 *
 * Why `systemd-notify` and not a socket of our own: Node has no AF_UNIX datagram sockets
 * (`dgram` is UDP only), and a native addon means a compiler on the Pi or per-arch prebuilds.
 * `socat` would work but is not installed on a stock Raspberry Pi OS.
 *
 * What systemd 252's `systemd-notify` does (man systemd-notify, "--no-block"): it sends the
 * datagram, then waits on a BARRIER=1 until PID 1 has processed it, so the message is never
 * dropped because the short-lived sender exited first. It first tries to send with our PID as
 * the sender (`--pid=`, which also adds MAINPID=<our pid>, a no-op as we already are the main
 * PID); that needs CAP_SYS_ADMIN, which the unit does not grant, so it falls back to its own
 * PID. Hence the unit's `NotifyAccess=all`. We remove NOTIFY_SOCKET from our environment on
 * start-up so that nothing else we spawn (timedatectl) can speak for the service.
 *
 * Messages are sent one `systemd-notify` at a time; what piles up while one is in flight is
 * merged into the next datagram (a newer STATUS= replaces an older one), so a slow PID 1 never
 * makes us fork a queue of processes.
 */
export interface SdNotify {
  /** True when a service manager listens (NOTIFY_SOCKET was set); otherwise every call is a no-op. */
  readonly enabled: boolean;
  /** READY=1: the store is open and the devices are started. */
  ready(): void;
  /** STATUS=<text> (one line), shown by `systemctl status anjud`. Repeated identical texts are not resent. */
  status(text: string): void;
  /**
   * STOPPING=1, and no more watchdog pings. Resolves once the datagram was handed over (or the
   * send failed); the daemon waits for it before it exits, or a `systemd-notify` still in flight
   * for an earlier ping would hold STOPPING=1 back until the process was gone (seen under load).
   */
  stopping(): Promise<void>;
  /**
   * Starts the keep-alive pings when systemd asked for them (WATCHDOG_USEC set, WATCHDOG_PID ours
   * or absent): WATCHDOG=1 every WATCHDOG_USEC/2, but only while the main loop runs on time and
   * the store keeps committing (see `WatchdogOptions`). Returns the ping interval, or null when
   * there is no watchdog.
   */
  startWatchdog(o: WatchdogOptions): { intervalMs: number; storeStaleAfterMs: number; maxLagMs: number } | null;
  /** The store committed (the daemon calls this after each successful readings flush). */
  progress(): void;
  /** Where send failures and withheld pings are reported. */
  setLog(log: NotifyLog): void;
}

export interface WatchdogOptions {
  /** The daemon's regular store write interval (store.readings_flush_ms). */
  storeFlushMs: number;
  /**
   * No successful store write for this long withholds the pings. Default: 3 flush intervals, but
   * never less than one ping interval, so that one flush that waited out SQLite's 5 s busy
   * timeout and failed does not cost a restart, while a store that stays stuck does.
   */
  storeStaleAfterMs?: number;
  /**
   * The ping timer firing later than this means the main loop was stuck. Default: half the ping
   * interval (7.5 s with WatchdogSec=30s): then one stall of that size withholds a ping and the
   * next one would already come after systemd's deadline, so systemd restarts us.
   */
  maxLagMs?: number;
}

export type NotifyLog = {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
};

/** Sends one datagram made of `assignments` ("READY=1", "STATUS=...") and calls back once. */
export type NotifySender = (socket: string, assignments: readonly string[], done: (err: Error | null) => void) => void;

export interface SdNotifyOptions {
  env?: NodeJS.ProcessEnv;
  /** Remove NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID from `env` (sd_notify's unset_environment). */
  unsetEnvironment?: boolean;
  pid?: number;
  /**
   * Monotonic milliseconds. Not Date.now(): a Pi has no RTC, and the wall clock jumps (by years
   * at first NTP sync) which would look like a stall or hide one.
   */
  now?: () => number;
  send?: NotifySender;
  log?: NotifyLog;
}

/** Gives up on a `systemd-notify` that hangs (its own barrier timeout is 5 s). */
const SEND_TIMEOUT_MS = 10_000;

export function systemdNotifySender(pid: number, path?: string): NotifySender {
  return (socket, assignments, done) => {
    execFile(
      'systemd-notify',
      [`--pid=${pid}`, ...assignments],
      // Only what it needs: the socket, and PATH so the command is found.
      { env: { NOTIFY_SOCKET: socket, PATH: path ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' }, timeout: SEND_TIMEOUT_MS },
      (err, _stdout, stderr) => {
        if (!err) return done(null);
        const text = String(stderr).trim();
        done(new Error(text ? `${err.message.split('\n')[0]}: ${text}` : err.message));
      },
    );
  };
}

export function createSdNotify(o: SdNotifyOptions = {}): SdNotify {
  const env = o.env ?? process.env;
  const socket = env.NOTIFY_SOCKET || null;
  const watchdogUsec = env.WATCHDOG_USEC;
  const watchdogPid = env.WATCHDOG_PID;
  if (o.unsetEnvironment) {
    delete env.NOTIFY_SOCKET;
    delete env.WATCHDOG_USEC;
    delete env.WATCHDOG_PID;
  }
  const pid = o.pid ?? process.pid;
  const now = o.now ?? (() => performance.now());
  const send = o.send ?? systemdNotifySender(pid, env.PATH);
  let log: NotifyLog | undefined = o.log;

  // Assignments waiting for the next datagram, by variable name (a newer value replaces an older one).
  const pending = new Map<string, string>();
  let inFlight = false;
  let lastStatus: string | null = null;
  let lastError: string | null = null;

  /** Called when a datagram holding STOPPING=1 has been sent (or failed). */
  let stoppingSaid: Array<() => void> = [];

  let scheduled = false;
  function queue(name: string, value: string): void {
    if (!socket) return;
    pending.set(name, `${name}=${value}`);
    // Sent once the current synchronous code is done, so that what is said together (READY=1 and
    // the first STATUS=) goes out in one datagram and one process.
    if (!scheduled) {
      scheduled = true;
      queueMicrotask(() => { scheduled = false; pump(); });
    }
  }

  function pump(): void {
    if (inFlight || pending.size === 0 || !socket) return;
    const batch = [...pending.values()];
    pending.clear();
    inFlight = true;
    send(socket, batch, (err) => {
      inFlight = false;
      if (batch.includes('STOPPING=1')) {
        for (const said of stoppingSaid) said();
        stoppingSaid = [];
      }
      if (err) {
        // Said once per distinct failure, not on every ping.
        if (err.message !== lastError) log?.warn({ err: err.message, sent: batch }, 'cannot notify systemd (systemd-notify failed)');
        lastError = err.message;
      } else {
        lastError = null;
      }
      pump();
    });
  }

  let timer: NodeJS.Timeout | null = null;
  let lastProgress = now();

  function startWatchdog(w: WatchdogOptions): { intervalMs: number; storeStaleAfterMs: number; maxLagMs: number } | null {
    const usec = Number(watchdogUsec);
    if (!socket || !watchdogUsec || !Number.isFinite(usec) || usec <= 0) return null;
    // sd_watchdog_enabled(3): the pings are for the process systemd named, if it named one.
    if (watchdogPid && watchdogPid !== String(pid)) return null;
    const intervalMs = usec / 2000; // half the timeout, as sd_watchdog_enabled(3) recommends
    const maxLagMs = w.maxLagMs ?? intervalMs / 2;
    const storeStaleAfterMs = w.storeStaleAfterMs ?? Math.max(3 * w.storeFlushMs, intervalMs);
    if (timer) clearTimeout(timer);
    lastProgress = now(); // the store was just opened: that counts as progress
    let due = now() + intervalMs;
    let withheld = 0;
    const tick = (): void => {
      const t = now();
      const lagMs = t - due;
      const storeAgeMs = t - lastProgress;
      const problems: string[] = [];
      if (lagMs > maxLagMs) problems.push(`the main loop ran ${Math.round(lagMs)} ms late (limit ${Math.round(maxLagMs)} ms)`);
      if (storeAgeMs > storeStaleAfterMs) problems.push(`no store commit for ${Math.round(storeAgeMs)} ms (limit ${Math.round(storeStaleAfterMs)} ms)`);
      if (problems.length === 0) {
        queue('WATCHDOG', '1');
        if (withheld > 0) log?.info({ withheld }, 'watchdog pings resumed');
        withheld = 0;
      } else {
        withheld++;
        log?.warn(
          { lagMs: Math.round(lagMs), storeAgeMs: Math.round(storeAgeMs), maxLagMs: Math.round(maxLagMs), storeStaleAfterMs: Math.round(storeStaleAfterMs), withheld },
          `withholding the watchdog ping: ${problems.join('; ')}; systemd restarts anjud if this goes on`,
        );
      }
      due = t + intervalMs;
      timer = setTimeout(tick, intervalMs);
      timer.unref(); // the pings must never be what keeps the process alive
    };
    timer = setTimeout(tick, intervalMs);
    timer.unref();
    return { intervalMs, storeStaleAfterMs, maxLagMs };
  }

  return {
    enabled: socket !== null,
    ready: () => queue('READY', '1'),
    status(text) {
      const line = text.replace(/[\r\n]+/g, ' '); // one assignment per line in the datagram
      if (line === lastStatus) return;
      lastStatus = line;
      queue('STATUS', line);
    },
    stopping() {
      if (timer) clearTimeout(timer);
      timer = null;
      pending.delete('WATCHDOG');
      if (!socket) return Promise.resolve();
      const said = new Promise<void>((resolve) => stoppingSaid.push(resolve));
      queue('STOPPING', '1');
      return said;
    },
    startWatchdog,
    progress() {
      lastProgress = now();
    },
    setLog(l) {
      log = l;
    },
  };
}

let shared: SdNotify | null = null;

/**
 * This process's notifier, created on first use from process.env (which it then clears of the
 * notify variables). Call it before anything is spawned. Outside systemd it does nothing.
 */
export function sdNotify(): SdNotify {
  shared ??= createSdNotify({ unsetEnvironment: true });
  return shared;
}

/** The STATUS= line: what a technician wants from `systemctl status anjud` at a glance. */
export function statusLine(s: DaemonStatus): string {
  // A device is up when its link is: serial port open, BLE connected, or its last Modbus poll answered.
  const up = s.devices.filter((d) => d.serial?.open || d.ble?.connected || d.modbus?.state === 'ok').length;
  const uplink = s.uplink === null ? 'uplink not started' : s.uplink.connected ? 'uplink connected' : 'uplink disconnected';
  // A store in trouble leads the line: `systemctl status anjud` is where a technician looks first.
  const st = s.storage;
  const storage = !st || st.state === 'ok' ? '' : `STORAGE ${st.state === 'disk_full' ? 'DISK FULL' : 'WRITES FAILING'}${st.held.events > 0 ? ` (${st.held.events} events held in memory)` : ''}; `;
  return `${storage}queue: ${s.outbox.depth.alarm} alarms, ${s.outbox.depth.event} events, ${s.outbox.depth.report} reports; ${uplink}; devices up: ${up}/${s.devices.length}; open alarms: ${s.alarms.length}`;
}
