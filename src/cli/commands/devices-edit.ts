/**
 * `anjuctl devices add` and `anjuctl devices remove ID`: a device is added or removed without
 * editing YAML by hand over SSH.
 * - add takes flags (--id --model --room, and the fields of the model's transport) or the whole
 *   entry as one YAML/JSON fragment; remove takes the id.
 * - The config in force (--config) is read, a copy edited (src/cli/config-edit.ts: only the lines
 *   of that device change, comments stay), validated with the schema (errors name the key path, as
 *   `config validate` does), and the changes shown key by key, as `config diff` shows them.
 * - Then it goes through the one apply path of `config apply` (set-config: backup, validate, restart,
 *   roll back when the daemon does not come back connected). --dry-run stops after the diff;
 *   --out FILE also writes the edited copy there.
 * Refused before anything changes: a file that is not the one anjud runs (its hash), an unknown model, an id already used, a serial port, Bluetooth
 * or Zigbee address used by another device, an option of another transport. remove refuses an
 * unknown id and warns when the device has open alarms.
 * Exit codes: 0 applied / dry run, 1 unknown device, rolled back or no outcome, 2 usage,
 * 3 anjud not running, 4 no permission, 78 the result would not be a valid config.
 * (Registered in src/cli/command-tree.ts.)
 */
import { closest } from '../../config/suggest.js';
import { renderProblems } from '../config-problems.js';
import type { Command } from 'commander';
import { realpathSync, writeFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { EXIT_CONFIG } from '../../config/check.js';
import { allDevices, devicesOn } from '../../config/devices.js';
import { parseConfig } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { DEFAULT_LOCAL_DIR, deviceCatalogue, type TransportKind } from '../../drivers/catalogue.js';
import type { DaemonStatus } from '../../control/status.js';
import { ControlError, request } from '../client.js';
import { appendToList, removeFromList, type Edit } from '../config-edit.js';
import { context, EXIT, run, type Ctx } from '../context.js';
import { t, wordedIn, type MessageKey } from '../i18n.js';
import { diffConfigs, printChanges, readCurrent, reportProblems, sendConfig, type Change } from './config.js';

/** Transports of devices; a modem is no device (the top-level modem: section). */
type Transport = Exclude<TransportKind, 'modem'>;

/**
 * The models offered, by transport, from the device catalogue (the default local profile folder
 * included; the config's own folder, if it names another, is checked when the edit is validated).
 */
const MODELS = (): Record<Transport, readonly string[]> => {
  const c = deviceCatalogue(DEFAULT_LOCAL_DIR);
  return { serial: c.models('serial'), ble: c.models('ble'), zigbee: c.models('zigbee'), modbus: c.models('modbus') };
};

/** The flags of each transport (commander's camelCase name -> the flag). */
const TRANSPORT_FLAGS: Record<Transport, Record<string, string>> = {
  serial: { path: '--path', baudRate: '--baud-rate' },
  ble: { address: '--address', adapter: '--adapter' },
  zigbee: { ieee: '--ieee', friendlyName: '--friendly-name' },
  modbus: { bus: '--bus', unit: '--unit', path: '--path', baudRate: '--baud-rate', host: '--host', port: '--port' },
};
const ALL_FLAGS: Record<string, string> = Object.assign({ id: '--id', model: '--model', room: '--room', name: '--name' }, ...Object.values(TRANSPORT_FLAGS));

interface AddOpts {
  id?: string; model?: string; room?: string; name?: string;
  path?: string; baudRate?: number; address?: string; adapter?: string; ieee?: string; friendlyName?: string;
  bus?: string; unit?: number; host?: string; port?: number;
  dryRun?: boolean; out?: string; waitS: number;
}

export async function devicesAdd(fragment: string | undefined, o: AddOpts, cmd: Command): Promise<void> {
  const ctx = await context(cmd);
  await run(ctx, () => add(ctx, fragment, o));
}

export async function devicesRemove(id: string, o: { dryRun?: boolean; out?: string; waitS: number }, cmd: Command): Promise<void> {
  const ctx = await context(cmd);
  await run(ctx, () => remove(ctx, id, o));
}

/** A refusal: the message in the technician's language (stderr), or JSON with a stable code. */
function refuse(ctx: Ctx, exit: number, code: string, key: MessageKey, vars: Record<string, string | number> = {}): number {
  if (ctx.json) ctx.out(JSON.stringify({ ok: false, code, message: t('en', key, vars) }));
  else ctx.err(t(ctx.lang, key, vars));
  return exit;
}

const modelList = () => (Object.entries(MODELS()) as Array<[Transport, readonly string[]]>).map(([tr, ms]) => `${tr}: ${ms.join(', ')}`).join('; ');

function transportOfModel(model: string): Transport | null {
  for (const [tr, ms] of Object.entries(MODELS()) as Array<[Transport, readonly string[]]>) if (ms.includes(model)) return tr;
  return null;
}

async function add(ctx: Ctx, fragment: string | undefined, o: AddOpts): Promise<number> {
  const given = Object.keys(ALL_FLAGS).filter((k) => o[k as keyof AddOpts] !== undefined);
  for (const k of ['baudRate', 'unit', 'port'] as const) {
    if (o[k] !== undefined && !Number.isFinite(o[k])) return refuse(ctx, EXIT.USAGE, 'usage', 'badNumber', { option: ALL_FLAGS[k]! });
  }
  let entry: Record<string, unknown>;
  let busId = o.bus;
  if (fragment !== undefined) {
    const conflicting = given.filter((k) => k !== 'bus');
    if (conflicting.length > 0) return refuse(ctx, EXIT.USAGE, 'usage', 'dvFlagsAndFragment', { flags: conflicting.map((k) => ALL_FLAGS[k]!).join(' ') });
    let parsed: unknown;
    try { parsed = parseYaml(fragment); } catch (err) { return refuse(ctx, EXIT.USAGE, 'usage', 'dvFragmentBad', { error: (err as Error).message.split('\n')[0]! }); }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return refuse(ctx, EXIT.USAGE, 'usage', 'dvFragmentBad', { error: 'not a mapping' });
    entry = { ...(parsed as Record<string, unknown>) };
  } else {
    for (const k of ['id', 'model', 'room'] as const) if (o[k] === undefined) return refuse(ctx, EXIT.USAGE, 'usage', 'dvNeedFlag', { flag: ALL_FLAGS[k]!, models: modelList() });
    entry = { id: o.id, model: o.model, room: o.room, ...(o.name !== undefined ? { name: o.name } : {}) };
  }
  const model = entry.model;
  if (typeof model !== 'string') return refuse(ctx, EXIT.USAGE, 'usage', 'dvNeedFlag', { flag: '--model', models: modelList() });
  const transport = transportOfModel(model);
  if (!transport) {
    // A typo gets the closest model (edit distance), not the list of every one.
    const near = closest(model, Object.values(MODELS()).flat());
    return refuse(ctx, EXIT_CONFIG, 'unknown-model', near ? 'dvUnknownModelNear' : 'dvUnknownModel', { model, models: modelList(), ...(near ? { suggestion: near } : {}) });
  }
  const foreign = given.filter((k) => !['id', 'model', 'room', 'name'].includes(k) && !(k in TRANSPORT_FLAGS[transport]));
  if (foreign.length > 0) {
    return refuse(ctx, EXIT.USAGE, 'usage', 'dvFlagNotFor', { flag: foreign.map((k) => ALL_FLAGS[k]!).join(' '), model, transport, flags: Object.values(TRANSPORT_FLAGS[transport]).join(' ') });
  }
  if (fragment === undefined) Object.assign(entry, transportFields(transport, o));
  else if (transport === 'modbus' && typeof entry.bus === 'string') { busId ??= entry.bus; delete entry.bus; } // where it goes, not a key of the entry

  const cur = readCurrent(ctx);
  if (!cur) return EXIT_CONFIG;
  if (!cur.result.ok) return reportProblems(ctx, cur);
  const running = await inForce(ctx, cur.file, cur.result.hash, o.dryRun === true);
  if (running === null) return EXIT.FAILED;
  const config = cur.result.config;
  const id = String(entry.id ?? '');
  const other = allDevices(config).find((d) => d.id === id);
  if (other) return refuse(ctx, EXIT_CONFIG, 'duplicate-id', 'dvDuplicateId', { id, model: other.model, room: other.room });
  const clash = inUse(config, transport, entry, o);
  if (clash) return refuse(ctx, EXIT_CONFIG, 'in-use', 'dvInUse', { what: t(ctx.json ? 'en' : ctx.lang, clash.what), value: clash.value, other: clash.other });

  let edit: Edit;
  if (transport === 'modbus') {
    const buses = config.modbus;
    const names = buses.map((b) => b.id).join(', ') || '-';
    const newBus = o.path !== undefined || o.host !== undefined;
    const idx = busId === undefined ? (buses.length === 1 && !newBus ? 0 : -1) : buses.findIndex((b) => b.id === busId);
    if (idx >= 0 && newBus) return refuse(ctx, EXIT.USAGE, 'usage', 'dvBusExists', { bus: buses[idx]!.id });
    if (idx >= 0) edit = appendToList(cur.text, ['modbus', idx, 'devices'], entry);
    else if (busId === undefined) return refuse(ctx, EXIT.USAGE, 'usage', buses.length === 0 || newBus ? 'dvNoBus' : 'dvWhichBus', { buses: names });
    else if (!newBus) return refuse(ctx, EXIT_CONFIG, 'unknown-bus', 'dvUnknownBus', { bus: busId, buses: names });
    else {
      const link = o.path !== undefined
        ? { rtu: { path: o.path, ...(o.baudRate !== undefined ? { baudRate: o.baudRate } : {}) } }
        : { tcp: { host: o.host, ...(o.port !== undefined ? { port: o.port } : {}) } };
      edit = appendToList(cur.text, ['modbus'], { id: busId, ...link, devices: [entry] });
    }
  } else {
    edit = appendToList(cur.text, ['devices'], entry);
  }
  return finish(ctx, cur.file, config, edit, { action: 'add', id, entry }, o, cur.result.hash);
}

/** The transport block from the flags; fields not given are left out (the schema says what is missing). */
function transportFields(transport: Transport, o: AddOpts): Record<string, unknown> {
  const def = <T>(k: string, v: T | undefined) => (v === undefined ? {} : { [k]: v });
  switch (transport) {
    case 'serial': return { serial: { ...def('path', o.path), ...def('baudRate', o.baudRate) } };
    case 'ble': return { ble: { ...def('address', o.address), ...def('adapter', o.adapter) } };
    case 'zigbee': return { ...(o.ieee !== undefined ? { zigbee: { ieee: o.ieee } } : {}), ...(o.friendlyName !== undefined ? { z2m: { friendly_name: o.friendlyName } } : {}) };
    case 'modbus': return def('unitId', o.unit);
  }
}

const real = (p: string) => { try { return realpathSync(p); } catch { return p; } };

/** Another device on the same serial port, Bluetooth address, Zigbee address or Zigbee2MQTT name. */
function inUse(config: Readonly<Config>, transport: Transport, entry: Record<string, unknown>, o: AddOpts): { what: MessageKey; value: string; other: string } | null {
  const sub = (k: string) => (entry[k] !== null && typeof entry[k] === 'object' ? entry[k] as Record<string, unknown> : {});
  const path = transport === 'serial' ? sub('serial').path : transport === 'modbus' ? o.path : undefined;
  if (typeof path === 'string') {
    const ports: Array<[string, string]> = [
      ...devicesOn(config, 'serial').map((d): [string, string] => [d.serial.path, d.id]),
      ...config.modbus.flatMap((b): Array<[string, string]> => (b.rtu ? [[b.rtu.path, `bus ${b.id}`]] : [])),
      ...(config.zigbee ? [[config.zigbee.serial.path, 'the Zigbee coordinator'] as [string, string]] : []),
    ];
    const hit = ports.find(([p]) => p === path || real(p) === real(path));
    if (hit) return { what: 'dvWhatPort', value: path, other: hit[1] };
  }
  const address = sub('ble').address;
  if (typeof address === 'string') {
    const adapter = typeof sub('ble').adapter === 'string' ? sub('ble').adapter : 'hci0';
    const hit = devicesOn(config, 'ble').find((d) => d.ble.address === address.toUpperCase() && d.ble.adapter === adapter);
    if (hit) return { what: 'dvWhatAddress', value: address, other: hit.id };
  }
  const ieee = sub('zigbee').ieee;
  if (typeof ieee === 'string') {
    const hit = devicesOn(config, 'zigbee').find((d) => d.zigbee?.ieee === ieee.toLowerCase());
    if (hit) return { what: 'dvWhatIeee', value: ieee, other: hit.id };
  }
  const fn = sub('z2m').friendly_name;
  if (typeof fn === 'string') {
    const hit = devicesOn(config, 'z2m').find((d) => d.z2m?.friendly_name === fn);
    if (hit) return { what: 'dvWhatZ2m', value: fn, other: hit.id };
  }
  return null;
}

async function remove(ctx: Ctx, id: string, o: { dryRun?: boolean; out?: string; waitS: number }): Promise<number> {
  const cur = readCurrent(ctx);
  if (!cur) return EXIT_CONFIG;
  if (!cur.result.ok) return reportProblems(ctx, cur);
  const config = cur.result.config;
  const top = config.devices.findIndex((d) => d.id === id);
  const busIdx = config.modbus.findIndex((b) => b.devices.some((d) => d.id === id));
  if (top < 0 && busIdx < 0) return refuse(ctx, EXIT.FAILED, 'unknown-device', 'unknownDevice', { id, ids: allDevices(config).map((d) => d.id).join(', ') || '-' });

  const running = await inForce(ctx, cur.file, cur.result.hash, o.dryRun === true);
  if (running === null) return EXIT.FAILED;
  // Open alarms of the device: worth a warning, not a refusal (a broken detector is often why it goes).
  const openAlarms = (running.status?.alarms ?? []).filter((a) => a.device === id);
  if (openAlarms.length > 0 && !ctx.json) ctx.err(t(ctx.lang, 'dvOpenAlarms', { id, n: openAlarms.length, alarms: openAlarms.map((a) => `${a.type} (${a.id})`).join(', ') }));

  let edit: Edit;
  if (top >= 0) edit = removeFromList(cur.text, ['devices'], top);
  else {
    const bus = config.modbus[busIdx]!;
    edit = bus.devices.length === 1
      ? removeFromList(cur.text, ['modbus'], busIdx) // a bus needs a device: it goes with its last one
      : removeFromList(cur.text, ['modbus', busIdx, 'devices'], bus.devices.findIndex((d) => d.id === id));
  }
  return finish(ctx, cur.file, config, edit, { action: 'remove', id, openAlarms: openAlarms.map((a) => ({ id: a.id, type: a.type })) }, o, cur.result.hash);
}

/**
 * The daemon's status, after checking that the file we edit is the one it runs: an edit of another
 * copy, applied, would replace the config in force with that copy. A dry run works on any file
 * (a warning) and without a daemon. null: refused (said why).
 */
async function inForce(ctx: Ctx, file: string, hash: string, dryRun: boolean): Promise<{ status: DaemonStatus | null } | null> {
  let status: DaemonStatus | null = null;
  try {
    const r = await request(ctx.socket, 'get-status');
    if (r.ok) status = r.data;
  } catch (err) {
    if (!(err instanceof ControlError) || !dryRun) throw err;
  }
  if (status?.configHash && status.configHash !== hash) {
    const vars = { file, hash, running: status.configHash };
    if (!dryRun) { refuse(ctx, EXIT.FAILED, 'not-in-force', 'dvNotInForce', vars); return null; }
    if (!ctx.json) ctx.err(t(ctx.lang, 'dvNotInForceDry', vars));
  }
  return { status };
}

/**
 * Validates the edited copy, shows the changes, then stops (--dry-run) or applies it, as an edit of
 * the config `baseHash` (the file as read, checked to be the one in force): should another config
 * come into force meanwhile (the cloud's set-config), anjud refuses this one rather than undo that.
 */
async function finish(
  ctx: Ctx, file: string, config: Readonly<Config>, edit: Edit,
  what: { action: 'add' | 'remove'; id: string; entry?: unknown; openAlarms?: unknown[] },
  o: { dryRun?: boolean; out?: string; waitS: number }, baseHash: string,
): Promise<number> {
  if (!edit.ok) return refuse(ctx, EXIT.FAILED, 'edit-unsafe', 'dvEditUnsafe', { file, error: wordedIn(ctx.lang, edit) });
  const next = parseConfig(edit.text);
  if (!next.ok) {
    if (ctx.json) ctx.out(JSON.stringify({ ok: false, code: 'invalid', file, problems: next.problems }));
    else ctx.err(`${t(ctx.lang, 'dvInvalid', { file })}\n${renderProblems(ctx.lang, file, next.problems)}`);
    return EXIT_CONFIG;
  }
  const changes: Change[] = diffConfigs(config, next.config);
  if (o.out) writeFileSync(o.out, edit.text, { mode: 0o640 });
  const extra = { action: what.action, device: what.id, ...(what.entry ? { entry: what.entry } : {}), ...(what.openAlarms ? { open_alarms: what.openAlarms } : {}), changes };
  if (!ctx.json) {
    ctx.out(t(ctx.lang, what.action === 'add' ? 'dvAddHeader' : 'dvRemoveHeader', { id: what.id, file, n: changes.length }));
    printChanges(ctx, changes);
    if (o.out) ctx.out(t(ctx.lang, 'dvWrote', { file: o.out }));
  }
  if (o.dryRun) {
    if (ctx.json) ctx.out(JSON.stringify({ ok: true, ...extra, outcome: 'dry_run' }));
    else ctx.out(t(ctx.lang, 'dvDryRun'));
    return EXIT.OK;
  }
  return sendConfig(ctx, edit.text, o.waitS, extra, baseHash);
}
