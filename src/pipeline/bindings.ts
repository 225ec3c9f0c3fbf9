import type { Config } from '../config/schema.js';
import { allDevices, type AnyDevice } from '../config/devices.js';
import { absenceDetector } from '../detectors/absence.js';
import { apneaDetector } from '../detectors/apnea.js';
import { breathingRateDetector } from '../detectors/breathing-rate.js';
import { deviceSupervisionDetector } from '../detectors/device-supervision.js';
import { fireGasDetector } from '../detectors/fire-gas.js';
import { heartRateDetector } from '../detectors/heart-rate.js';
import { inactivityDetector } from '../detectors/inactivity.js';
import { nightWanderingDetector } from '../detectors/night-wandering.js';
import { sleepReportDetector } from '../detectors/sleep-report.js';
import { spo2Detector } from '../detectors/spo2.js';
import { sosDetector } from '../detectors/sos.js';
import { vitalSignsLostDetector } from '../detectors/vital-signs-lost.js';
import type { Detector } from '../detectors/types.js';

/** A detector and where its settings come from: per device (device scope) or for the home (null). */
export interface DetectorBinding<S = any, C = any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly detector: Detector<S, C>;
  readonly settings: (deviceId: string | null) => C;
  /**
   * Device scope, with `detector.companionMetrics`: the devices whose readings of those metrics this
   * device's slot also gets (a bed radar's paired oximeter). Resolved once, when the device is added.
   */
  readonly companions?: (deviceId: string) => readonly string[];
}

/**
 * Which detectors run, with which settings: the one place where detectors meet the config.
 * Adding a detector: its settings schema in src/detectors/settings/<name>.ts (zod lives there, never
 * in the detector: the daemon runs without zod), wired under `detectors.<name>` in
 * src/config/schema.ts, and one binding here. Device-scoped detectors run on every device; each is
 * offered the readings of the metrics it declares (`Detector.metrics`), or every reading when it
 * declares none (docs/pipeline.md).
 */
export function detectorBindings(config: Readonly<Config>): DetectorBinding[] {
  const d = config.detectors;
  /** The home's time zone unless the detector has its own. */
  const local = <S extends { timezone: string | null }>(s: S): S => (s.timezone === null && config.hub.timezone ? { ...s, timezone: config.hub.timezone } : s);
  const byId = new Map<string, AnyDevice>(allDevices(config).map((x) => [x.id, x]));
  return [
    { detector: breathingRateDetector, settings: () => d.breathing_rate },
    { detector: apneaDetector, settings: () => d.apnea },
    { detector: heartRateDetector, settings: () => d.heart_rate },
    { detector: vitalSignsLostDetector, settings: () => d.vital_signs_lost },
    { detector: spo2Detector, settings: () => d.spo2 },
    { detector: fireGasDetector, settings: () => d.fire_gas },
    { detector: sosDetector, settings: () => d.sos },
    { detector: absenceDetector, settings: () => local(d.absence) },
    { detector: inactivityDetector, settings: () => local(d.inactivity) },
    { detector: nightWanderingDetector, settings: () => local(d.night_wandering) },
    {
      detector: sleepReportDetector,
      settings: (id) => ({ ...local(d.sleep_report), apnea: d.apnea, spo2: d.spo2, companions: id === null ? [] : oximetersOfBed(id, byId) }),
      companions: (id) => oximetersOfBed(id, byId),
    },
    {
      detector: deviceSupervisionDetector,
      // The silence-timeout class (detectors.device_supervision.silence_timeout_s): the model's profile says.
      settings: (id) => ({ ...d.device_supervision, device_id: id, device_class: (id === null ? undefined : byId.get(id))?.supervisionClass ?? 'default' }),
    },
  ];
}

const isBed = (d: AnyDevice): boolean => d.roles.includes('bed-monitor');
const isOximeter = (d: AnyDevice): boolean => d.roles.includes('oximeter');

/**
 * The pulse oximeters whose SpO2 goes into a bed radar's sleep report (the night's ODI, issue 18):
 * those in the same room, when the room has this one bed radar. Two bed radars in a room (a couple)
 * pair none: whose finger the oximeter was on cannot be told, and a wrong ODI in someone's report is
 * worse than none. No config key: the rooms say it.
 */
function oximetersOfBed(id: string, byId: ReadonlyMap<string, AnyDevice>): string[] {
  const bed = byId.get(id);
  if (!bed || !isBed(bed)) return [];
  const inRoom = [...byId.values()].filter((x) => x.room === bed.room);
  if (inRoom.filter(isBed).length !== 1) return [];
  return inRoom.filter(isOximeter).map((x) => x.id);
}
