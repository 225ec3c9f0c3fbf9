import type { EscalationPolicy } from './policy-schema.js';

/**
 * The escalation policy applied (issue 15): per alarm type and severity, whether and when a ladder
 * starts, and its rungs. Pure; the schema and its defaults are in policy-schema.ts.
 */
export type { EscalationPolicy } from './policy-schema.js';
export type Contact = EscalationPolicy['contacts'][number];

/** The policy's decision for one alarm type and severity. */
export interface AlarmRule {
  /** False: no ladder for this alarm. */
  readonly escalates: boolean;
  readonly immediate: boolean;
  readonly cloudConfirmMs: number;
  readonly ackWithinMs: number;
  /** Fire-class alarms keep sounding until they clear: an acknowledgement stops the contacts only. */
  readonly soundUntilCleared: boolean;
}

/** Hazards whose sounding no press ends, only the hazard clearing (issue 15: "never silenced by one press"). */
const SOUND_UNTIL_CLEARED = new Set(['alarm.smoke', 'alarm.gas', 'alarm.co']);

export function ruleFor(p: EscalationPolicy, type: string, severity: string): AlarmRule {
  const t = p.per_type[type] ?? {};
  const immediate = t.immediate ?? p.immediate_types.includes(type);
  // An immediate type (fire, SOS) escalates whatever severity its detector gives it.
  const escalates = t.enabled ?? (immediate || (p.severities as readonly string[]).includes(severity));
  return {
    escalates,
    immediate,
    cloudConfirmMs: (t.cloud_confirm_s ?? p.cloud_confirm_s) * 1000,
    ackWithinMs: (t.ack_within_s ?? p.ack_within_s) * 1000,
    soundUntilCleared: SOUND_UNTIL_CLEARED.has(type),
  };
}

/** One rung of a ladder: the home first, then each contact by SMS, then each by call. */
export type Rung =
  | { readonly action: 'sound' }
  | { readonly action: 'sms' | 'call'; readonly contact: Contact };

export function rungsOf(p: EscalationPolicy): Rung[] {
  return [
    { action: 'sound' },
    ...p.contacts.filter((c) => c.sms).map((contact) => ({ action: 'sms' as const, contact })),
    ...p.contacts.filter((c) => c.call).map((contact) => ({ action: 'call' as const, contact })),
  ];
}
