import { z } from 'zod';
import { rule } from '../core/config-rules.js';

/**
 * The escalation policy's config schema (issue 15); zod lives only here, never in what the daemon
 * loads to run the ladder (policy.ts, ladder.ts): the daemon gets its config validated by the config
 * worker (src/config/validate-worker.ts).
 *
 * The escalation policy: who the hub tells, and when, when the cloud cannot hear or nobody
 * takes an alarm. One `escalation:` block in the config; absent, the hub runs no local ladder (every
 * alarm goes to the cloud only, as before). docs/escalation.md explains each key with an example.
 *
 * Defaults are what a telecare service ships (EN 50134-7 practice, Tunstall-style ladders): critical
 * alarms only; the cloud must confirm an alarm within 60 s and an operator take it within 180 s, else
 * the home's own ladder starts; fire (smoke), gas, CO and the SOS button do not wait.
 */

/** E.164: a plus, a country code, at most 15 digits in all (ITU-T E.164 §6.1). */
const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, rule('ANJU_CFG_PHONE'));

const ContactSchema = z.strictObject({
  name: z.string().min(1).max(40).describe('Who this is (shown in events and in the SMS to other contacts), e.g. 女儿 or "Li Wei (neighbour)"'),
  phone: e164.describe('Mobile number in E.164 form, e.g. +8613800138000'),
  sms: z.boolean().default(true).describe('Send this contact an SMS on the SMS rung of the ladder'),
  call: z.boolean().default(true).describe('Call this contact on the call rung of the ladder'),
});

const secondsOrZero = (def: number, what: string) => z.number().min(0).default(def).describe(`${what}, seconds`);

/** What may be set per alarm type (each key falls back to the block's own value). */
const PerTypeSchema = z.strictObject({
  enabled: z.boolean().optional().describe('false: this alarm type never starts a ladder'),
  cloud_confirm_s: z.number().min(0).optional().describe('Overrides cloud_confirm_s for this type, seconds'),
  ack_within_s: z.number().min(0).optional().describe('Overrides ack_within_s for this type, seconds'),
  immediate: z.boolean().optional().describe('true: start the ladder at once (sound in the home, then contacts), without waiting for the cloud'),
});

export const SirenSchema = z.strictObject({
  device: z.string().min(1).describe('Id of a siren device in devices: (a Zigbee IAS WD siren such as heiman-hs2wd-e, through zigbee: or z2m:)'),
  duration_s: z.number().int().min(1).max(3600).default(300).describe('How long each warning sounds, seconds (IAS WD startWarning duration); the hub repeats it while the ladder sounds'),
  level: z.enum(['low', 'medium', 'high', 'very_high']).default('very_high').describe('Siren level (IAS WD siren level)'),
  strobe: z.boolean().default(true).describe('Flash the strobe too (for a person who hears badly)'),
});

export const PromptsSchema = z.strictObject({
  player: z.string().min(1).default('aplay').describe('The ALSA player run for each prompt (alsa-utils aplay)'),
  alsa_device: z.string().min(1).default('default').describe('ALSA PCM the prompts play on (aplay -D), e.g. default or plughw:1,0'),
  dir: z.string().min(1).nullable().default(null).describe('Folder of the prompt WAV files; null: the ones shipped with anjud (prompts/)'),
  languages: z.array(z.enum(['zh', 'en'])).min(1).default(['zh', 'en']).describe('Languages played, in order, for each prompt'),
});

export const EscalationSchema = z.strictObject({
  severities: z.array(z.enum(['critical', 'warning'])).min(1).default(['critical']).describe('Alarm severities that get a ladder'),
  cloud_confirm_s: secondsOrZero(60, 'The cloud must confirm (ack) a raised alarm within this long, else the ladder starts'),
  ack_within_s: secondsOrZero(180, 'Someone must acknowledge the alarm (ack-alarm from the cloud, anjuctl alarms ack, the button, a contact\'s reply) within this long, else the ladder starts'),
  uplink_down_s: secondsOrZero(30, 'The uplink has been down this long while an alarm is open: the ladder starts'),
  immediate_types: z.array(z.string().regex(/^alarm\.[a-z0-9_]+$/, rule('ANJU_CFG_ALARM_TYPE'))).default(['alarm.smoke', 'alarm.gas', 'alarm.co', 'alarm.sos'])
    .describe('Alarm types whose ladder starts at once: the home sounds and contacts are told without waiting for the cloud'),
  step_interval_s: secondsOrZero(60, 'Pause between two rungs of the ladder (the home, one contact, then the next)'),
  retries: z.number().int().min(0).max(10).default(2).describe('How many more times a failed SMS or call to one contact is tried before the ladder moves on'),
  retry_s: secondsOrZero(30, 'Pause before a retry of a failed SMS or call'),
  rate_limit_s: secondsOrZero(600, 'At most one SMS (and one call) to the same number this often, across alarms: a flapping alarm does not flood a relative'),
  call_ring_s: z.number().int().min(5).max(120).default(30).describe('How long a call rings before the hub hangs up, seconds'),
  contacts: z.array(ContactSchema).max(10).default([]).describe('People told in order: SMS to each (sms: true), then a call to each (call: true)'),
  per_type: z.record(z.string().regex(/^alarm\.[a-z0-9_]+$/, rule('ANJU_CFG_ALARM_TYPE')), PerTypeSchema).default({}).describe('Overrides per alarm type, e.g. alarm.apnea: { ack_within_s: 60 }'),
  reply_words: z.array(z.string().min(1)).default(['1', 'ok', '好', '收到']).describe('An SMS from a contact whose trimmed text is one of these (any case) acknowledges the alarm and stops the ladder'),
  siren: SirenSchema.optional().describe('The siren sounded on the first rung'),
  prompts: PromptsSchema.optional().describe('Spoken prompts played through ALSA on the first rung'),
}).describe('The local escalation ladder (docs/escalation.md): absent, alarms go to the cloud only');

export type EscalationPolicy = z.output<typeof EscalationSchema>;

