/**
 * What differs between modem models, read from devices/<model>/profile.json `modem` (the catalogue,
 * src/drivers/catalogue.ts): line speed, extra init commands, the boot URC, URCs of the vendor that
 * are not errors, and how a prompt is played into a call. Everything else is 3GPP TS 27.005/27.007
 * and the same for every module.
 */
export interface ModemProfile {
  readonly baudRate: number;
  /** Sent after the standard init (ATE0, +CMEE=1), e.g. which port URCs go to. A failure is logged, not fatal. */
  readonly init: readonly string[];
  /** Lines a module sends when it (re)started (Quectel and SIMCom: RDY): the hub initialises it again. */
  readonly bootUrcs: readonly string[];
  /** Vendor URCs that are no answer to a command (+QIND, SMS DONE, ...). */
  readonly otherUrcs: readonly string[];
  /**
   * Playing a WAV file from the module's own storage into the far end of a call; `{file}` is replaced
   * by the file name. null: the model cannot, so a call rings and hangs up.
   */
  readonly prompt: { readonly play: string; readonly stop: string } | null;
  /** Where the module keeps prompt files (UFS: on Quectel, E:/ on SIMCom); config modem.prompt_dir overrides. */
  readonly promptDir: string;
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const strings = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');

/** The `modem` section of a profile, or the problems (`key.path: message`). */
export function parseModemProfile(profile: Readonly<Record<string, unknown>>): { ok: true; profile: ModemProfile } | { ok: false; errors: string[] } {
  const m = profile.modem;
  if (!isObj(m)) return { ok: false, errors: ['modem: expected an object (baudRate, init, bootUrcs, otherUrcs, prompt)'] };
  const errors: string[] = [];
  if (!Number.isInteger(m.baudRate) || (m.baudRate as number) <= 0) errors.push('modem.baudRate: expected a positive integer');
  for (const k of ['init', 'bootUrcs', 'otherUrcs'] as const) if (!strings(m[k])) errors.push(`modem.${k}: expected a list of strings`);
  const p = m.prompt;
  if (p !== null && !(isObj(p) && typeof p.play === 'string' && p.play.includes('{file}') && typeof p.stop === 'string')) {
    errors.push('modem.prompt: expected null or { play: "AT...{file}...", stop: "AT..." }');
  }
  if (typeof m.promptDir !== 'string') errors.push('modem.promptDir: expected the folder of prompt files on the module, e.g. "UFS:"');
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    profile: {
      baudRate: m.baudRate as number,
      init: m.init as string[],
      bootUrcs: m.bootUrcs as string[],
      otherUrcs: (m.otherUrcs as string[]).map((s) => s.toUpperCase()),
      prompt: p === null ? null : { play: (p as Record<string, string>).play!, stop: (p as Record<string, string>).stop! },
      promptDir: m.promptDir as string,
    },
  };
}
