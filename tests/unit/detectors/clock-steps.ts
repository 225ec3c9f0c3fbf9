/**
 * Shared by the clock-step tests (issue 12): every detector, with settings for a quick replay, and
 * how to compare the events of a run whose wall clock stepped with those of a run without a step.
 */
import type { EventDraft } from '../../../src/core/event.js';
import { apneaDetector } from '../../../src/detectors/apnea.js';
import { absenceDetector } from '../../../src/detectors/absence.js';
import { breathingRateDefaults, breathingRateDetector } from '../../../src/detectors/breathing-rate.js';
import { deviceSupervisionDetector } from '../../../src/detectors/device-supervision.js';
import { fireGasDetector } from '../../../src/detectors/fire-gas.js';
import { heartRateDetector } from '../../../src/detectors/heart-rate.js';
import { inactivityDetector } from '../../../src/detectors/inactivity.js';
import { nightWanderingDetector } from '../../../src/detectors/night-wandering.js';
import { AbsenceSettingsSchema } from '../../../src/detectors/settings/absence.js';
import { ApneaSettingsSchema } from '../../../src/detectors/settings/apnea.js';
import { DeviceSupervisionSettingsSchema } from '../../../src/detectors/settings/device-supervision.js';
import { FireGasSettingsSchema } from '../../../src/detectors/settings/fire-gas.js';
import { HeartRateSettingsSchema } from '../../../src/detectors/settings/heart-rate.js';
import { InactivitySettingsSchema } from '../../../src/detectors/settings/inactivity.js';
import { NightWanderingSettingsSchema } from '../../../src/detectors/settings/night-wandering.js';
import { SleepReportSettingsSchema } from '../../../src/detectors/settings/sleep-report.js';
import { Spo2SettingsSchema } from '../../../src/detectors/settings/spo2.js';
import { VitalSignsLostSettingsSchema } from '../../../src/detectors/settings/vital-signs-lost.js';
import { sleepReportDetector } from '../../../src/detectors/sleep-report.js';
import { spo2Detector } from '../../../src/detectors/spo2.js';
import type { Detector } from '../../../src/detectors/types.js';
import { vitalSignsLostDetector } from '../../../src/detectors/vital-signs-lost.js';
import type { Fired } from '../../helpers/detector-replay.js';

/** A detector with its settings (any detector, any settings: the replay only passes them through). */
export interface Case {
  readonly det: Detector<any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly settings: unknown;
}

/**
 * Every detector of the daemon (src/pipeline/bindings.ts), at UTC, with short delays. `calendar`
 * settings keep their local-time rules (curfew, windows, night, report_by); the others switch
 * them off (night_wandering has no such switch: it is tested on its own).
 */
export function detectorCases(calendar: boolean): Record<string, Case> {
  const apnea = ApneaSettingsSchema.parse({});
  return {
    breathing_rate: { det: breathingRateDetector, settings: { ...breathingRateDefaults, sustain_s: 30, clear_after_s: 10 } },
    apnea: { det: apneaDetector, settings: apnea },
    heart_rate: { det: heartRateDetector, settings: HeartRateSettingsSchema.parse({ sustain_s: 30, clear_after_s: 10 }) },
    vital_signs_lost: { det: vitalSignsLostDetector, settings: VitalSignsLostSettingsSchema.parse({ lost_after_s: 40 }) },
    spo2: { det: spo2Detector, settings: Spo2SettingsSchema.parse({ sustain_s: 30, clear_after_s: 10 }) },
    fire_gas: { det: fireGasDetector, settings: FireGasSettingsSchema.parse({}) },
    device_supervision: { det: deviceSupervisionDetector, settings: DeviceSupervisionSettingsSchema.parse({ device_class: 'radar', device_id: 'radar' }) },
    absence: {
      det: absenceDetector,
      settings: AbsenceSettingsSchema.parse({ door_device: 'door', confirm_s: 60, exit_grace_s: 10, max_away_s: 300, door_open_warn_s: 120, ...(calendar ? {} : { curfew: null }) }),
    },
    inactivity: {
      det: inactivityDetector,
      settings: InactivitySettingsSchema.parse({ max_inactive_s: 300, presence_absent_min_s: 30, exit_doors: ['door'], ...(calendar ? {} : { windows: [] }) }),
    },
    night_wandering: { det: nightWanderingDetector, settings: NightWanderingSettingsSchema.parse({ max_out_of_bed_s: 300 }) },
    sleep_report: {
      det: sleepReportDetector,
      settings: {
        ...SleepReportSettingsSchema.parse({ min_in_bed_s: 600, end_after_out_s: 300, min_out_of_bed_s: 30, asleep_after_still_s: 60, ...(calendar ? {} : { report_by: null }) }),
        apnea,
      },
    },
  };
}

/** A stepped run's event data brought back to the unstepped clock: every `...Ts` of an event after a step, minus the steps before it. */
function unstep(v: unknown, stepMs: number): unknown {
  if (Array.isArray(v)) return v.map((x) => unstep(x, stepMs));
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k.endsWith('Ts') && typeof x === 'number' ? x - stepMs : unstep(x, stepMs)]));
}

/** The events of a run whose clock stepped as `steps` say, as a run without steps would have them (`at` is already monotonic). */
export function asUnstepped(fired: readonly Fired[], steps: ReadonlyArray<{ atS: number; stepMs: number }>): Array<{ at: number; e: EventDraft }> {
  return fired.map((f) => {
    const stepMs = steps.filter((s) => s.atS <= f.at).reduce((a, s) => a + s.stepMs, 0);
    return { at: f.at, e: { ...f.e, data: unstep(f.e.data, stepMs) as EventDraft['data'] } };
  });
}
