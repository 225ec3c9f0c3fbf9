import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LadderAlarm, Outcome } from './ladder.js';
import { promptOf } from './messages.js';
import { STOP_WARNING, testWarning, warningFor, type Warning } from './ias-wd.js';
import type { EscalationPolicy } from './policy.js';

/**
 * The home's own voice on the first rung of the ladder: the siren (an IAS WD device reached through
 * our coordinator or Zigbee2MQTT) and the spoken prompt (ALSA). Each part reports what it did; a part
 * that is not configured is `none`, not a failure.
 */
export interface Sounders {
  sound(alarm: LadderAlarm, test: boolean): Promise<Outcome>;
  silence(alarm: LadderAlarm): Promise<void>;
  /** The prompt file a call plays, where the modem can. */
  callPrompt(alarm: LadderAlarm, test: boolean): string | null;
}

export type PartResult = { ok: true } | { ok: false; detail: string };

/** Sends a warning to the configured siren (the transport that reaches it). */
export type SirenPort = (deviceId: string, w: Warning) => Promise<PartResult>;
/** Plays WAV files, in order, to the end (prompt-player.ts). */
export type PlayPort = (files: readonly string[]) => Promise<PartResult>;

/**
 * The prompts shipped with anjud: dist/prompts in a build (copy-prompts.ts), the repository's
 * prompts/ when run from the sources (tests), as the device catalogue finds devices/.
 */
export const shippedPromptsDir = fileURLToPath(new URL('../../prompts/', import.meta.url));

export function createSounders(p: EscalationPolicy, ports: { siren: SirenPort | null; play: PlayPort | null }): Sounders {
  const dir = p.prompts?.dir ?? shippedPromptsDir;
  const files = (alarm: LadderAlarm, test: boolean) => p.prompts?.languages.map((lang) => join(dir, `${promptOf(alarm.type, test)}.${lang}.wav`)) ?? [];
  const siren = p.siren;
  return {
    async sound(alarm, test) {
      const parts = await Promise.all([
        siren && ports.siren
          ? ports.siren(siren.device, test ? testWarning(siren.strobe) : warningFor(alarm.type, { level: siren.level, strobe: siren.strobe, durationS: siren.duration_s }))
          : null,
        p.prompts && ports.play ? ports.play(files(alarm, test)) : null,
      ]);
      const [s, v] = parts;
      const word = (r: PartResult | null) => (r === null ? 'none' : r.ok ? 'ok' : 'failed');
      if (s?.ok === false && (v === null || v.ok === false)) {
        return { ok: false, code: 'failed', detail: [s.detail, v?.ok === false ? v.detail : null].filter(Boolean).join('; ') };
      }
      // One part failed, the other sounded: the rung did its job; the event says what failed.
      const detail = [s?.ok === false ? `siren: ${s.detail}` : null, v?.ok === false ? `prompt: ${v.detail}` : null].filter(Boolean).join('; ');
      return { ok: true, siren: word(s), prompt: word(v), ...(detail ? { detail } : {}) };
    },
    async silence() {
      if (siren && ports.siren) await ports.siren(siren.device, STOP_WARNING);
    },
    callPrompt(alarm, test) {
      const lang = p.prompts?.languages[0] ?? 'zh';
      const f = join(dir, `${promptOf(alarm.type, test)}.${lang}.wav`);
      return existsSync(f) ? f : null;
    },
  };
}
