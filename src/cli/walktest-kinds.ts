import { metricText, t, type Lang, type MessageKey } from './i18n.js';

/**
 * What proves that a device works, by kind: the walk test asks the technician to do one thing and
 * waits for the reading that only that action produces (metric names: src/detectors/METRICS.md).
 * A radar in an empty room reports `presence: false` and no breathing rate, so `presence: true`
 * plus a breathing rate proves both the link and the person-facing mounting. A hazard detector's
 * test button raises a real alarm; that alarm must also reach the cloud (checked by walktest.ts).
 */
export type DeviceKind = 'radar-vitals' | 'radar-presence' | 'motion' | 'smoke' | 'gas' | 'modbus-gas' | 'contact' | 'band' | 'oximeter' | 'sos' | 'siren' | 'other';

export interface ProofState {
  /** Latest value per metric since the step started. */
  last: Map<string, number | boolean | string>;
  /** Distinct values per metric since the step started (a door contact must change). */
  seen: Map<string, Set<string>>;
  readings: number;
}

export interface KindSpec {
  /** What the technician is asked to do. */
  instruction: MessageKey;
  /** What the walk test waits for, in words (also the hint when data came but not this). */
  awaited: MessageKey;
  proven(s: ProofState): boolean;
  /** Alarm types the test action raises for this device; the walk test waits for one and its cloud ack. */
  alarms: readonly string[];
  /**
   * An output device, proved the other way round: the hub sounds it (control command siren-test) and
   * the technician says whether it was heard; no reading is awaited.
   */
  sounded?: true;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export const KINDS: Record<DeviceKind, KindSpec> = {
  'radar-vitals': {
    instruction: 'wtDoRadar',
    awaited: 'wtAwaitRadar',
    // The MR60BHA1 sends 0 for "no estimate yet" and the driver drops it, so any rate is a real one.
    proven: (s) => s.last.get('presence') === true && (num(s.last.get('breathRatePerMin')) ?? 0) > 0,
    alarms: [],
  },
  'radar-presence': {
    // A presence radar watches a room, not a bed (an LD2410 in the living room).
    instruction: 'wtDoPresence',
    awaited: 'wtAwaitPresence',
    proven: (s) => s.last.get('presence') === true,
    alarms: [],
  },
  motion: {
    instruction: 'wtDoMotion',
    awaited: 'wtAwaitMotion',
    proven: (s) => s.last.get('occupancy') === true,
    alarms: [],
  },
  smoke: {
    instruction: 'wtDoTestButton',
    awaited: 'wtAwaitSmoke',
    proven: (s) => s.last.get('smoke') === true,
    alarms: ['alarm.smoke'],
  },
  gas: {
    instruction: 'wtDoTestButton',
    awaited: 'wtAwaitGas',
    proven: (s) => s.last.get('gas') === true || s.last.get('co') === true,
    alarms: ['alarm.gas', 'alarm.co'],
  },
  'modbus-gas': {
    instruction: 'wtDoTestGas',
    awaited: 'wtAwaitGas',
    // A measuring head may only report a concentration; the alarm event (fire-gas detector) then proves it.
    proven: (s) => s.last.get('gas') === true || s.last.get('co') === true,
    alarms: ['alarm.gas', 'alarm.co'],
  },
  contact: {
    instruction: 'wtDoDoor',
    awaited: 'wtAwaitContact',
    proven: (s) => (s.seen.get('contact')?.size ?? 0) >= 2,
    alarms: [],
  },
  band: {
    instruction: 'wtDoWear',
    awaited: 'wtAwaitHeart',
    // Bands without a skin sensor never send skinContact; one that says "not on the wrist" has not passed.
    proven: (s) => (num(s.last.get('heartRateBpm')) ?? 0) > 0 && s.last.get('skinContact') !== false,
    alarms: [],
  },
  oximeter: {
    instruction: 'wtDoWearOximeter',
    awaited: 'wtAwaitSpo2',
    proven: (s) => { const v = num(s.last.get('spo2Percent')); return v !== null && v > 50 && v <= 100; },
    alarms: [],
  },
  sos: {
    // One press raises alarm.sos (src/detectors/sos.ts), which must reach the cloud like any alarm;
    // the walk test then acknowledges it, which stops the escalation ladder it started.
    instruction: 'wtDoSos',
    awaited: 'wtAwaitSos',
    // Our coordinator reports the IAS alarm bit as `sos`; Zigbee2MQTT reports the press as `buttonAction`.
    proven: (s) => s.last.get('sos') === true || s.seen.has('buttonAction'),
    alarms: ['alarm.sos'],
  },
  siren: {
    // A siren reports little by itself (a battery level now and then): the hub sounds it instead, with
    // the test tone, and only the technician's ears can say that it can be heard in the home.
    instruction: 'wtDoSiren',
    awaited: 'wtAwaitSiren',
    proven: () => false,
    alarms: [],
    sounded: true,
  },
  other: {
    instruction: 'wtDoOther',
    awaited: 'wtAwaitAny',
    proven: (s) => s.readings > 0,
    alarms: [],
  },
};

/**
 * The kind of a configured device, from its model's profile as the daemon reports it (supervision
 * class and roles, src/drivers/catalogue.ts): a new model of a known kind is one folder, no name guessing.
 */
export function kindOf(d: { readonly supervisionClass: string; readonly roles: readonly string[] }): DeviceKind {
  switch (d.supervisionClass) {
    case 'radar': return d.roles.includes('bed-monitor') ? 'radar-vitals' : 'radar-presence';
    case 'wearable': return d.roles.includes('oximeter') ? 'oximeter' : 'band';
    case 'occupancy': return 'motion';
    case 'smoke': return 'smoke';
    case 'co': case 'gas': return 'gas';
    case 'modbus': return 'modbus-gas';
    case 'contact': return 'contact';
    default: return d.roles.includes('sos-button') ? 'sos' : d.roles.includes('siren') ? 'siren' : 'other';
  }
}

export function newProofState(): ProofState {
  return { last: new Map(), seen: new Map(), readings: 0 };
}

export function observe(s: ProofState, metric: string, value: number | boolean | string): void {
  s.readings++;
  s.last.set(metric, value);
  let set = s.seen.get(metric);
  if (!set) s.seen.set(metric, (set = new Set()));
  set.add(String(value));
}

/** "presence=true, breathRatePerMin=16": what was seen, for the report. */
const EVIDENCE_METRICS = ['presence', 'occupancy', 'breathRatePerMin', 'heartRateBpm', 'skinContact', 'spo2Percent', 'smoke', 'gas', 'co', 'gasLelPercent', 'coPpm', 'contact', 'sos', 'buttonAction'];

/** What proved the device, metric=value (the JSON report's form, for scripts). */
export function evidence(s: ProofState, metrics = EVIDENCE_METRICS): string {
  return metrics.filter((m) => s.last.has(m)).map((m) => `${m}=${String(s.last.get(m))}`).join(', ');
}

/** The same, as a person reads it in `lang` (呼吸 16 次/分). */
export function evidenceText(lang: Lang, s: ProofState, metrics = EVIDENCE_METRICS): string {
  return metrics.filter((m) => s.last.has(m)).map((m) => metricText(lang, m, s.last.get(m))).join(t(lang, 'listSep'));
}

/**
 * evidence()'s metric=value form (kept in a JSON report's hint variables) as a person reads it: the
 * report is rendered from the JSON form, without the proof state. Anything else is shown as it is.
 */
export function evidenceTextOf(lang: Lang, text: string): string {
  if (!/^\w+=/.test(text)) return text;
  return text.split(', ').map((pair) => {
    const at = pair.indexOf('=');
    const [m, v] = [pair.slice(0, at), pair.slice(at + 1)];
    return metricText(lang, m, v === 'true' ? true : v === 'false' ? false : v);
  }).join(t(lang, 'listSep'));
}
