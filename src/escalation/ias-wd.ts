/**
 * IAS Warning Device (ZCL 07-5123, cluster 0x0502 ssIasWd), pure: the Start Warning command the
 * siren gets, and the same warning as Zigbee2MQTT's `warning` payload. No I/O.
 *
 * ZCL 07-5123 §8.4.2.3.1 Start Warning: one octet of bit fields, then Warning Duration (uint16, s),
 * Strobe Duty Cycle (uint8, % in steps of 10), Strobe Level (uint8 enum):
 *   bits 4-7 Warning Mode: 0 stop, 1 burglar, 2 fire, 3 emergency, 4 police panic, 5 fire panic, 6 emergency panic
 *   bits 2-3 Strobe:       0 no strobe, 1 strobe in parallel to the warning
 *   bits 0-1 Siren Level:  0 low, 1 medium, 2 high, 3 very high
 */
export const WARNING_MODES = ['stop', 'burglar', 'fire', 'emergency', 'police_panic', 'fire_panic', 'emergency_panic'] as const;
export const SIREN_LEVELS = ['low', 'medium', 'high', 'very_high'] as const;

export type WarningMode = (typeof WARNING_MODES)[number];
export type SirenLevel = (typeof SIREN_LEVELS)[number];

export interface Warning {
  readonly mode: WarningMode;
  readonly level: SirenLevel;
  readonly strobe: boolean;
  /** Seconds, 0..65535 (uint16). */
  readonly durationS: number;
}

/** herdsman's field names for the Start Warning payload (zigbee-herdsman's ssIasWd.startWarning). */
export interface StartWarningPayload {
  startwarninginfo: number;
  warningduration: number;
  strobedutycycle: number;
  strobelevel: number;
}

export function startWarningPayload(w: Warning): StartWarningPayload {
  const mode = WARNING_MODES.indexOf(w.mode);
  const level = SIREN_LEVELS.indexOf(w.level);
  return {
    startwarninginfo: (mode << 4) | ((w.strobe ? 1 : 0) << 2) | level,
    warningduration: Math.max(0, Math.min(0xffff, Math.round(w.durationS))),
    // 50 % duty cycle, low strobe level: the spec's example values, and what a siren's own test uses.
    strobedutycycle: w.strobe ? 50 : 0,
    strobelevel: 0,
  };
}

/** Zigbee2MQTT's `warning` (its IAS WD converter): `<base>/<friendly>/set` with `{"warning": {...}}`. */
export function z2mWarningPayload(w: Warning): { warning: { mode: WarningMode; level: SirenLevel; strobe: boolean; duration: number } } {
  return { warning: { mode: w.mode, level: w.level, strobe: w.strobe, duration: Math.max(0, Math.min(0xffff, Math.round(w.durationS))) } };
}

/**
 * The test sound: a short, low burglar tone, for the escalation test walk and the walk test's siren
 * step; never the fire or emergency pattern a neighbour would take for a real alarm.
 */
export const testWarning = (strobe: boolean, durationS = 2): Warning => ({ mode: 'burglar', level: 'low', strobe, durationS });

export const STOP_WARNING: Warning = { mode: 'stop', level: 'low', strobe: false, durationS: 0 };

/** The warning an alarm sounds: fire-class hazards the fire tone, everything else emergency. */
export function warningFor(alarmType: string, s: { level: SirenLevel; strobe: boolean; durationS: number }): Warning {
  const fire = alarmType === 'alarm.smoke' || alarmType === 'alarm.gas' || alarmType === 'alarm.co';
  return { mode: fire ? 'fire' : 'emergency', level: s.level, strobe: s.strobe, durationS: s.durationS };
}
