import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serialDrivers } from './serial-drivers.js';

/**
 * The device catalogue: every model this hub can run, read from `devices/<model>/profile.json`
 * (shipped with the build) and from a local profile folder (`device_profiles.local_dir`, by default
 * /etc/anju/devices/<model>/profile.json) where a technician adds a Modbus register map or a
 * Zigbee/BLE variant on site without a rebuild. Both are read and checked by the same code.
 *
 * Each entry names its transport and driver (the profile says so): config validation, the daemon,
 * device supervision, `diagnose`, the walk test, `pair` and the fixture test all ask the catalogue,
 * never guess a transport from which config key is present. The per-transport views
 * (registry.ts, modbus-registry.ts, zigbee-registry.ts, ble-registry.ts) bind an entry to its
 * decoder. No zod here: the daemon reads the catalogue on its main thread, and the deep checks of
 * each transport's profile section (profile-check.ts) run where the config is validated.
 */

export const TRANSPORT_KINDS = ['serial', 'ble', 'modbus', 'zigbee', 'modem'] as const;
/**
 * How a profile's device is reached. A `zigbee` model is reached through our coordinator or Zigbee2MQTT.
 * A `modem` model is no sensor: the cellular modem of the top-level `modem:` section (src/transports/modem/).
 */
export type TransportKind = typeof TRANSPORT_KINDS[number];

/** The device-supervision classes (`detectors.device_supervision.silence_timeout_s` keys). */
export const SUPERVISION_CLASSES = ['smoke', 'co', 'gas', 'water', 'contact', 'occupancy', 'radar', 'modbus', 'wearable', 'default'] as const;

/**
 * What a model is for, where the pipeline must know it (optional `roles` in a profile): a `bed-monitor`
 * makes nights (the sleep report runs on it, the walk test asks for someone to lie on the bed); an
 * `oximeter` is paired with the room's bed monitor for the night's ODI; an `sos-button` is pressed
 * in the walk test and must raise alarm.sos; a `siren` (an IAS WD warning device) is sounded by the
 * hub in the walk test (control command siren-test) and the technician says whether it was heard.
 * Data, not code: a new bed radar, oximeter, SOS button or siren is one folder.
 */
export const DEVICE_ROLES = ['bed-monitor', 'oximeter', 'sos-button', 'siren'] as const;
export type DeviceRole = typeof DEVICE_ROLES[number];

/** Decoders each transport offers, by the profile's `driver` name. */
const driversOf = (t: TransportKind): readonly string[] =>
  t === 'serial' ? Object.keys(serialDrivers) : t === 'modbus' ? ['modbus-profile'] : t === 'zigbee' ? ['zigbee-ias'] : t === 'modem' ? ['at-modem'] : ['ble-gatt'];

export interface CatalogueEntry {
  readonly model: string;
  readonly transport: TransportKind;
  readonly driver: string;
  readonly supervisionClass: string;
  /** What the model is for (profile `roles`, none when absent). */
  readonly roles: readonly DeviceRole[];
  /** Where it came from: the build's devices/ folder, or the local profile folder. */
  readonly source: 'shipped' | 'local';
  /** The profile.json file, for messages. */
  readonly file: string;
  /** The whole profile as read (each transport's section is checked by profile-check.ts). */
  readonly profile: Readonly<Record<string, unknown>>;
}

/** A model folder that could not be read or failed the common checks: named, never thrown. */
export interface CatalogueProblem {
  /** The folder's name ('' for the root folder itself). */
  readonly model: string;
  readonly source: CatalogueEntry['source'];
  readonly file: string;
  readonly message: string;
}

export interface Catalogue {
  get(model: string): CatalogueEntry | undefined;
  /** Every model of one transport, shipped first, in folder order. */
  models(transport: TransportKind): string[];
  readonly entries: readonly CatalogueEntry[];
  readonly problems: readonly CatalogueProblem[];
}

/** The build's devices/ folder: next to src/ in the repository, dist/devices in a build (copied by the build). */
export const shippedDevicesDir = fileURLToPath(new URL('../../devices/', import.meta.url));

/** Where technicians add profiles on site unless the config says otherwise. */
export const DEFAULT_LOCAL_DIR = '/etc/anju/devices';

/** The common part of a profile: what the catalogue itself needs. Returns the problem, or the entry. */
export function checkCommonProfile(json: unknown, folder: string, file: string, source: CatalogueEntry['source']): CatalogueEntry | string {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return 'expected a JSON object';
  const p = json as Record<string, unknown>;
  if (p.model !== folder) return `model: expected "${folder}" (the folder's name), found ${JSON.stringify(p.model)}`;
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(folder)) return 'the folder name must be kebab-case (a-z 0-9 -): it is the model name in the config';
  for (const k of ['vendor', 'name'] as const) if (typeof p[k] !== 'string' || p[k] === '') return `${k}: expected a non-empty string`;
  const t = p.transport;
  if (typeof t !== 'string' || !(TRANSPORT_KINDS as readonly string[]).includes(t)) return `transport: expected one of ${TRANSPORT_KINDS.join(', ')}, found ${JSON.stringify(t)}`;
  const transport = t as TransportKind;
  const drivers = driversOf(transport);
  if (typeof p.driver !== 'string' || !drivers.includes(p.driver)) return `driver: expected one of ${drivers.join(', ')} (the ${transport} decoders of this build), found ${JSON.stringify(p.driver)}`;
  const sc = p.supervisionClass;
  if (typeof sc !== 'string' || !(SUPERVISION_CLASSES as readonly string[]).includes(sc)) return `supervisionClass: expected one of ${SUPERVISION_CLASSES.join(', ')}, found ${JSON.stringify(sc)}`;
  const roles = p.roles ?? [];
  if (!Array.isArray(roles) || !roles.every((r) => (DEVICE_ROLES as readonly unknown[]).includes(r))) return `roles: expected a list of ${DEVICE_ROLES.join(', ')}, found ${JSON.stringify(p.roles)}`;
  return { model: folder, transport, driver: p.driver, supervisionClass: sc, roles: roles as DeviceRole[], source, file, profile: p };
}

function readRoot(root: string, source: CatalogueEntry['source']): { entries: CatalogueEntry[]; problems: CatalogueProblem[] } {
  const entries: CatalogueEntry[] = [];
  const problems: CatalogueProblem[] = [];
  let names: string[];
  try {
    names = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory() || d.isSymbolicLink()).map((d) => d.name).sort();
  } catch (err) {
    // A missing local folder is normal (nothing added on site); a missing shipped one is a broken
    // build or release (no model would be known), and anything else is worth saying.
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    if (!missing || source === 'shipped') problems.push({ model: '', source, file: root, message: missing ? 'the build\'s device profiles are missing (npm run build copies devices/*/profile.json here)' : `cannot read the folder: ${(err as Error).message}` });
    return { entries, problems };
  }
  for (const name of names) {
    const file = join(root, name, 'profile.json');
    if (!existsSync(file) || !statSync(file).isFile()) {
      problems.push({ model: name, source, file, message: 'no profile.json in the model folder' });
      continue;
    }
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      problems.push({ model: name, source, file, message: `not valid JSON: ${(err as Error).message}` });
      continue;
    }
    const e = checkCommonProfile(json, name, file, source);
    if (typeof e === 'string') problems.push({ model: name, source, file, message: e });
    else entries.push(e);
  }
  return { entries, problems };
}

/**
 * Reads the shipped folder and, when given, a local one. A local model with a shipped model's name
 * is refused (named in `problems`): a field folder must not silently change what a shipped model means.
 */
export function loadCatalogue(opts: { shippedDir?: string; localDir?: string | null } = {}): Catalogue {
  const shipped = readRoot(opts.shippedDir ?? shippedDevicesDir, 'shipped');
  const local = opts.localDir ? readRoot(resolve(opts.localDir), 'local') : { entries: [], problems: [] };
  const byModel = new Map(shipped.entries.map((e) => [e.model, e]));
  const problems = [...shipped.problems, ...local.problems];
  for (const e of local.entries) {
    if (byModel.has(e.model)) problems.push({ model: e.model, source: 'local', file: e.file, message: `a shipped model has this name (${byModel.get(e.model)!.file}): give the local one its own folder name` });
    else byModel.set(e.model, e);
  }
  const entries = [...byModel.values()];
  return {
    entries,
    problems,
    get: (model) => byModel.get(model),
    models: (t) => entries.filter((e) => e.transport === t).map((e) => e.model),
  };
}

const cache = new Map<string, Catalogue>();

/** The catalogue for a local folder (null: shipped models only), read once per process. */
export function deviceCatalogue(localDir: string | null = null): Catalogue {
  const key = localDir ?? '';
  let c = cache.get(key);
  if (!c) {
    c = loadCatalogue({ localDir });
    cache.set(key, c);
  }
  return c;
}
