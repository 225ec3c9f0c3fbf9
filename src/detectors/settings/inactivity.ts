import { z } from 'zod';
import { inactivityDefaults as D } from '../inactivity.js';
import { hhMmSchema, localTimeShape } from './local-time.js';
import { rule } from '../../core/config-rules.js';

/**
 * The settings schema of the inactivity detector (`detectors.*` in src/config/schema.ts). Kept out of
 * the detector's module so that the daemon, which receives its config already validated (see
 * src/config/validate-worker.ts), never loads zod or the schema into its own heap.
 */

const WindowSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9_]{1,32}$/, rule('ANJU_CFG_WINDOW_NAME')).describe('Name, sent in the event data'),
  start: hhMmSchema('07:00', 'Window start'),
  end: hhMmSchema('10:00', 'Window end (may be after midnight)'),
  severity: z.enum(['critical', 'warning', 'info']).default('critical'),
}).refine((w) => w.start !== w.end, { ...rule('ANJU_CFG_WINDOW_EMPTY'), path: ['end'] });

export const InactivitySettingsSchema = z.strictObject({
  enabled: z.boolean().default(D.enabled),
  max_inactive_s: z.number().positive().default(D.max_inactive_s).describe('No activity anywhere for this long raises alarm.inactivity, seconds'),
  severity: z.enum(['critical', 'warning', 'info']).default(D.severity),
  windows: z.array(WindowSchema).max(8).default(D.windows.map((w) => ({ ...w })))
    .refine((ws) => new Set(ws.map((w) => w.name)).size === ws.length, rule('ANJU_CFG_WINDOW_NAMES'))
    .describe('Daily local windows that must contain some activity (alarm.inactivity_window at the end)'),
  ignore_devices: z.array(z.string().min(1)).max(64).default([]).describe('Devices whose readings never count as activity'),
  exit_doors: z.array(z.string().min(1)).max(8).default([]).describe('Door contacts whose closing, with nothing after it, means she went out (suspends the alarms; use the absence detector\'s door)'),
  exit_grace_s: z.number().min(0).default(D.exit_grace_s).describe('Continued (not new) presence this soon after an exit door closed is a sensor hold time, seconds'),
  mode_device: z.string().min(1).default(D.mode_device).describe('Virtual device whose homeMode reading (away/home) suspends or resumes the alarms'),
  presence_absent_min_s: z.number().min(0).default(D.presence_absent_min_s).describe('presence false -> true counts as activity only after false this long, seconds'),
  body_movement_min: z.number().min(2).max(100).default(D.body_movement_min).describe('bodyMovement at or above this is activity (Seeed scale: 2-30 micro-movements, 31-60 body movement)'),
  ...localTimeShape,
});

export type InactivityWindow = z.output<typeof WindowSchema>;

export type InactivitySettings = z.output<typeof InactivitySettingsSchema>;
