import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync, statfsSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { parseConfig } from '../config/load.js';
import { byLine, type ConfigProblem } from '../config/result.js';
import { renderProblems } from './config-problems.js';
import type { Config } from '../config/schema.js';
import { devicesOn } from '../config/devices.js';
import { parseBrokerUrl } from '../core/broker-url.js';
import type { DaemonStatus } from '../control/status.js';
import type { LinkRetryStatus } from '../transports/link-supervisor.js';
import { clockSourceText, clockState } from './clock-state.js';
import { ControlError, request } from './client.js';
import { linkStateText, t, type Lang, type MessageKey } from './i18n.js';

/**
 * The checks behind `anjuctl diagnose` (and the support bundle): each finding says what was found,
 * how bad it is, and what to do. Everything that needs no daemon (config, serial ports, broker, disk,
 * clock, Bluetooth adapter) is checked even when anjud is down, because that is when they matter.
 */
export type Level = 'ok' | 'info' | 'warn' | 'error';

export interface Finding {
  check: string;
  level: Level;
  message: MessageKey;
  vars: Record<string, string | number>;
  hint: MessageKey | null;
  /** The config problem `vars.first` tells in English, for rendering it in the reader's language. */
  problem?: { file: string; problem: ConfigProblem };
}

/** Where USB serial adapters get their stable names (udev); overridable for tests and odd systems. */
const BY_ID_DIR = process.env.ANJU_SERIAL_BY_ID_DIR ?? '/dev/serial/by-id';
const BT_SYSFS = process.env.ANJU_SYSFS_BLUETOOTH ?? '/sys/class/bluetooth';
/** Below this the store cannot keep a night of readings, and SQLite may fail to commit alarms. */
const DISK_ERROR_BYTES = 64 * 1024 * 1024;
const BROKER_TIMEOUT_MS = 5000;
/** A device that has said nothing for this long is worth a look (radars report every second). */
const SILENT_MS = 5 * 60_000;

export interface DiagnoseResult { findings: Finding[]; status: DaemonStatus | null; config: Readonly<Config> | null }

export async function diagnose(o: { socket: string; configPath: string | undefined }): Promise<DiagnoseResult> {
  const f: Finding[] = [];
  const add = (check: string, level: Level, message: MessageKey, vars: Record<string, string | number> = {}, hint: MessageKey | null = null) => f.push({ check, level, message, vars, hint });

  // Config: schema only. The password and key files may be readable by anjud and not by this user.
  let config: Readonly<Config> | null = null;
  const file = o.configPath ?? '/etc/anju/anju.yaml';
  let text: string | null = null;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    add('config', 'warn', code === 'EACCES' ? 'dgConfigUnreadable' : 'dgConfigMissing', { file, error: code }, code === 'EACCES' ? 'dgHintSudo' : 'dgHintConfigMissing');
  }
  if (text !== null) {
    const r = parseConfig(text);
    if (r.ok) {
      config = r.config;
      add('config', 'ok', 'dgConfigOk', { file, hub: r.config.hub.id, hash: r.hash });
    } else {
      const p = byLine(r.problems)[0]!;
      f.push({ check: 'config', level: 'error', message: 'dgConfigInvalid', vars: { file, n: r.problems.length, first: renderProblems('en', file, [p]) }, hint: 'dgHintValidate', problem: { file, problem: p } });
    }
  }

  serialChecks(config, add);

  let status: DaemonStatus | null = null;
  const socket = o.socket;
  try {
    const r = await request(socket, 'get-status', {}, 5000);
    if (r.ok) {
      status = r.data;
      add('daemon', 'ok', 'dgDaemonUp', { hub: status.hub, version: status.version, n: status.devices.length });
    } else {
      add('daemon', 'error', 'dgDaemonError', { code: r.code ?? '?', message: r.message ?? '' }, 'dgHintJournal');
    }
  } catch (err) {
    if (err instanceof ControlError && err.kind === 'no-permission') add('daemon', 'error', 'dgDaemonNoPermission', { path: socket }, 'dgHintGroup');
    else add('daemon', 'error', 'dgDaemonDown', { path: socket }, 'dgHintStart');
  }
  if (status) daemonChecks(status, add);
  if (status && config && status.hub !== config.hub.id) add('config', 'warn', 'dgHubMismatch', { file, hub: config.hub.id, running: status.hub }, 'dgHintHubMismatch');

  if (config) {
    await brokerCheck(config, add);
    diskCheck(config, add);
    bleChecks(config, status, add);
  }
  const clock = await clockState();
  if (clock.state === 'synced') add('clock', 'ok', 'dgClockOk', { source: clock.source });
  else if (clock.state === 'unsynced') add('clock', 'warn', 'dgClockUnsynced', { source: clock.source }, 'dgHintClock');
  else add('clock', 'info', 'dgClockUnknown', { source: clock.source }, 'dgHintClock');
  return { findings: f, status, config };
}

type Add = (check: string, level: Level, message: MessageKey, vars?: Record<string, string | number>, hint?: MessageKey | null) => void;

function serialChecks(config: Readonly<Config> | null, add: Add): void {
  const byId: Array<[string, string]> = [];
  if (existsSync(BY_ID_DIR)) {
    for (const name of readdirSync(BY_ID_DIR).sort()) {
      const p = join(BY_ID_DIR, name);
      let target = '?';
      try { target = resolve(dirname(p), readlinkSync(p)); } catch { /* not a link: show the name alone */ }
      byId.push([name, target]);
    }
  }
  const ttys = existsSync('/dev') ? readdirSync('/dev').filter((n) => /^tty(USB|ACM|AMA)\d+$/.test(n)).map((n) => `/dev/${n}`) : [];
  if (byId.length > 0) add('serial', 'info', 'dgSerialById', { list: byId.map(([n, tgt]) => `${n} -> ${tgt}`).join('; ') });
  else add('serial', 'info', 'dgSerialNoById', { dir: BY_ID_DIR, ttys: ttys.join(', ') || '-' });
  if (!config) return;
  const wanted: Array<[string, string]> = [
    ...devicesOn(config, 'serial').map((d): [string, string] => [d.id, d.serial.path]),
    ...config.modbus.flatMap((b) => (b.rtu ? [[b.id, b.rtu.path] as [string, string]] : [])),
  ];
  for (const [id, path] of wanted) {
    if (existsSync(path)) {
      let real = path;
      try { real = realpathSync(path); } catch { /* keep the name */ }
      add('serial', 'ok', 'dgSerialPathOk', { id, path, real });
    } else {
      add('serial', 'error', 'dgSerialPathMissing', { id, path, available: byId.map(([n]) => join(BY_ID_DIR, n)).join(', ') || ttys.join(', ') || '-' }, 'dgHintSerialPath');
    }
  }
}

function daemonChecks(s: DaemonStatus, add: Add): void {
  const u = s.uplink;
  if (u?.connected) add('uplink', 'ok', 'dgUplinkUp', { ack: u.lastCloudAck ? u.lastCloudAck.seq : '-' });
  else add('uplink', 'error', 'dgUplinkDown', { connects: u?.connects ?? 0, errors: u?.publishErrors ?? 0 }, 'dgHintBroker');
  if (s.outbox.oldestPendingTs !== null && Date.now() - s.outbox.oldestPendingTs > 60_000) {
    add('uplink', 'warn', 'dgBacklog', { alarm: s.outbox.depth.alarm, event: s.outbox.depth.event, report: s.outbox.depth.report ?? 0, s: Math.round((Date.now() - s.outbox.oldestPendingTs) / 1000) }, 'dgHintBroker');
  }
  const now = Date.now();
  for (const d of s.devices) {
    if (d.serial && !d.serial.open) add('device', 'error', 'dgPortClosed', { id: d.id, path: d.serial.path, error: d.serial.lastError ?? '-' }, 'dgHintCable');
    else if (d.ble && !d.ble.connected) add('device', 'error', 'dgBleDown', { id: d.id, problem: d.ble.problem ?? d.ble.state }, 'dgHintBle');
    else if (d.modbus && d.modbus.state === 'fault') add('device', 'error', 'dgModbusFault', { id: d.id, fault: d.modbus.fault ? `${d.modbus.fault.code}: ${d.modbus.fault.message}` : 'fault' }, 'dgHintModbus');
    else {
      const last = d.ingest?.lastSeenTs ?? null;
      if (last === null || now - last > SILENT_MS) add('device', 'warn', 'dgSilent', { id: d.id, s: last === null ? '-' : Math.round((now - last) / 1000) }, 'dgHintSilent');
      else add('device', 'ok', 'dgDeviceOk', { id: d.id, s: Math.round((now - last) / 1000) });
    }
    if (d.serial?.open && d.serial.lastError) add('device', 'info', 'dgLastError', { id: d.id, error: d.serial.lastError });
    const drv = d.ingest?.driver;
    if (drv && drv.checksumErrors + drv.framingErrors > 0) add('device', 'info', 'dgBadFrames', { id: d.id, bad: drv.checksumErrors + drv.framingErrors, frames: drv.frames }, 'dgHintNoise');
    const dropped = d.ingest?.implausible ?? 0; // absent from daemons before issue 12
    if (dropped > 0) add('device', 'warn', 'dgImplausible', { id: d.id, n: dropped }, 'dgHintImplausible');
  }
  for (const b of s.modbusBuses ?? []) { // absent from daemons older than the Modbus support
    if (!b.open) add('modbus', 'error', 'dgBusClosed', { id: b.id, endpoint: b.endpoint, error: b.lastError ?? '-' }, 'dgHintModbus');
    else if (b.lastError) add('modbus', 'info', 'dgBusLastError', { id: b.id, error: b.lastError });
  }
  if (s.zigbee && (s.zigbee.state === 'retrying' || s.zigbee.state === 'stopped')) add('zigbee', 'error', 'dgZigbeeDown', { state: s.zigbee.state, problem: s.zigbee.problem ?? '-', error: s.zigbee.lastError ?? '-' }, 'dgHintZigbee');
  if (s.zigbee2mqtt && (s.zigbee2mqtt.state === 'disconnected' || s.zigbee2mqtt.state === 'stopped')) add('zigbee2mqtt', 'error', 'dgZ2mDown', { state: s.zigbee2mqtt.state, error: s.zigbee2mqtt.lastError ?? '-' }, 'dgHintZ2m');
  linkRetries(s, add);
}

/**
 * Every link keeps the same retry bookkeeping (src/transports/link-supervisor.ts): what is wrong, the
 * last error, failures since it was last up, the pending wait. Read from that one block, whatever the
 * transport, so a technician sees "it is retrying, N failures, next in S s" the same way everywhere.
 */
function linkRetries(s: DaemonStatus, add: Add): void {
  const links: Array<[string, string, LinkRetryStatus | undefined]> = [
    ...s.devices.flatMap((d): Array<[string, string, LinkRetryStatus | undefined]> => [[d.transport ?? (d.serial ? 'serial' : 'ble'), d.id, d.serial?.retry ?? d.ble?.retry]]),
    ...(s.modbusBuses ?? []).map((b): [string, string, LinkRetryStatus | undefined] => ['modbus', b.id, b.retry]),
    ['zigbee', 'coordinator', s.zigbee?.retry],
    ['zigbee2mqtt', 'zigbee2mqtt', s.zigbee2mqtt?.retry],
  ];
  for (const [kind, id, r] of links) {
    if (!r || (r.problem === null && r.failures === 0)) continue; // older daemons have no block; up and healthy says nothing
    add(kind, 'info', 'dgLinkRetry', { id, problem: r.problem ?? '-', failures: r.failures, next: r.retryDelayMs === null ? '-' : Math.ceil(r.retryDelayMs / 1000), error: r.lastError ?? '-' });
  }
}

/** The broker's endpoint as the uplink connects to it (src/core/broker-url.ts). */
export function brokerEndpoint(url: string): { host: string; port: number; tls: boolean } | null {
  const r = parseBrokerUrl(url);
  return r.ok ? { host: r.endpoint.host, port: r.endpoint.port, tls: r.endpoint.encrypted } : null;
}

async function brokerCheck(config: Readonly<Config>, add: Add): Promise<void> {
  const ep = brokerEndpoint(config.uplink.url);
  if (!ep) { add('broker', 'error', 'dgBrokerUrl', { file: 'the config' }, 'dgHintValidate'); return; }
  const where = { host: ep.host, port: ep.port };
  const tcp = await new Promise<string | null>((done) => {
    const s = tcpConnect({ host: ep.host, port: ep.port });
    const timer = setTimeout(() => { s.destroy(); done('ETIMEDOUT'); }, BROKER_TIMEOUT_MS);
    s.once('connect', () => { clearTimeout(timer); s.destroy(); done(null); });
    s.once('error', (err: NodeJS.ErrnoException) => { clearTimeout(timer); done(err.code ?? err.message); });
  });
  if (tcp !== null) {
    const hint: MessageKey = tcp === 'ENOTFOUND' || tcp === 'EAI_AGAIN' ? 'dgHintDns' : tcp === 'ECONNREFUSED' ? 'dgHintRefused' : 'dgHintNetwork';
    add('broker', 'error', 'dgBrokerTcp', { ...where, error: tcp }, hint);
    return;
  }
  if (!ep.tls) { add('broker', 'ok', 'dgBrokerOk', where); return; }
  const tlsCfg = config.uplink.tls;
  const read = (f: string | undefined) => { if (f === undefined) return undefined; try { return readFileSync(f); } catch { return undefined; } };
  const tlsErr = await new Promise<string | null>((done) => {
    const ca = read(tlsCfg.ca);
    const cert = read(tlsCfg.cert);
    const key = read(tlsCfg.key); // used for the handshake only; never printed or bundled
    const opts: ConnectionOptions = { host: ep.host, port: ep.port, rejectUnauthorized: tlsCfg.reject_unauthorized, ...(ca ? { ca } : {}), ...(cert && key ? { cert, key } : {}) };
    if (!/^[\d.:]+$/.test(ep.host)) opts.servername = ep.host; // SNI takes names, not addresses
    const s = tlsConnect(opts);
    const timer = setTimeout(() => { s.destroy(); done('handshake timed out'); }, BROKER_TIMEOUT_MS);
    s.once('secureConnect', () => { clearTimeout(timer); s.destroy(); done(null); });
    s.once('error', (err: NodeJS.ErrnoException) => { clearTimeout(timer); done(`${err.code ?? ''} ${err.message}`.trim()); });
  });
  if (tlsErr === null) add('broker', 'ok', 'dgBrokerTlsOk', where);
  else add('broker', 'error', 'dgBrokerTls', { ...where, error: tlsErr }, 'dgHintTls');
}

function diskCheck(config: Readonly<Config>, add: Add): void {
  let dir = resolve(config.state_dir);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  try {
    const s = statfsSync(dir);
    const free = s.bavail * s.bsize;
    const mb = Math.round(free / 1024 / 1024);
    const vars = { dir: config.state_dir, mb, quota: config.store.quota_mb };
    if (free < DISK_ERROR_BYTES) add('disk', 'error', 'dgDiskLow', vars, 'dgHintDisk');
    else if (free < config.store.quota_mb * 1024 * 1024) add('disk', 'warn', 'dgDiskUnderQuota', vars, 'dgHintDisk');
    else add('disk', 'ok', 'dgDiskOk', vars);
  } catch (err) {
    add('disk', 'warn', 'dgDiskUnknown', { dir: config.state_dir, error: (err as Error).message });
  }
}

function bleChecks(config: Readonly<Config>, status: DaemonStatus | null, add: Add): void {
  const adapters = new Set(devicesOn(config, 'ble').map((d) => d.ble.adapter));
  for (const a of adapters) {
    if (existsSync(join(BT_SYSFS, a))) add('ble', 'ok', 'dgBleAdapterOk', { adapter: a, state: status?.bleAdapters?.[a] ?? '-' });
    else add('ble', 'error', 'dgBleAdapterMissing', { adapter: a, dir: BT_SYSFS }, 'dgHintBleAdapter');
    const st = status?.bleAdapters?.[a];
    if (st && st !== 'ok' && st !== 'unknown') add('ble', 'error', 'dgBleAdapterState', { adapter: a, state: st }, 'dgHintBleAdapter');
  }
}

const LEVEL_KEY: Record<Level, MessageKey> = { ok: 'lvOk', info: 'lvInfo', warn: 'lvWarn', error: 'lvError' };

export function renderFinding(lang: Lang, f: Finding): { level: string; text: string; hint: string | null } {
  // Codes among the values (a clock source, a link problem) and a config problem, in the reader's language.
  const vars = { ...f.vars };
  if (typeof vars.source === 'string') vars.source = clockSourceText(lang, vars.source);
  for (const k of ['problem', 'state'] as const) if (typeof vars[k] === 'string') vars[k] = linkStateText(lang, vars[k]);
  if (f.problem) vars.first = renderProblems(lang, f.problem.file, [f.problem.problem]);
  return { level: t(lang, LEVEL_KEY[f.level]), text: t(lang, f.message, vars), hint: f.hint ? t(lang, f.hint, vars) : null };
}

/** English JSON for scripts and the support bundle. */
export function findingsJson(findings: readonly Finding[]): Array<{ check: string; level: Level; code: string; message: string; hint: string | null }> {
  return findings.map((f) => ({ check: f.check, level: f.level, code: f.message, message: t('en', f.message, f.vars), hint: f.hint ? t('en', f.hint, f.vars) : null }));
}
