import type { Measurement } from '../../core/reading.js';
import { registerWidth, type ModbusOutput, type ModbusPoint, type ModbusProfile } from './profile-schema.js';
import type { RegisterRead } from './read-plan.js';

/**
 * Turns the register words read from one device into measurements, as its profile says. Pure: no
 * I/O, no clock, never throws on words. A point whose registers are missing from `reads` (or hold
 * something other than a 16-bit word) yields nothing; so does a float32 NaN or infinity, which
 * devices use for "no value".
 *
 * Output order is the profile's order of points and outputs, so fixtures can expect exact lists.
 */
export function decodeModbusProfile(profile: ModbusProfile, reads: readonly RegisterRead[]): Measurement[] {
  const raw = new Map<ModbusPoint, RawValue>();
  for (const pt of profile.points) {
    const words = wordsFor(pt, reads);
    if (words) raw.set(pt, toRaw(pt, words));
  }

  // Flags first: `when` conditions of any output may refer to any flag of the profile.
  const flagRaw = new Map<string, { output: FlagOutput; value: boolean }>();
  for (const [pt, r] of raw) {
    for (const o of pt.outputs) if (o.kind === 'flag' && r.kind === 'int') flagRaw.set(o.metric, { output: o, value: flagValue(o, r.bits) });
  }
  const flags = resolveFlags(flagRaw);

  const out: Measurement[] = [];
  for (const pt of profile.points) {
    const r = raw.get(pt);
    if (!r) continue;
    for (const o of pt.outputs) {
      if (o.kind === 'flag') {
        const v = flags.get(o.metric);
        if (v !== undefined) out.push({ metric: o.metric, value: v });
      } else if (conditionsHold(o.when, flags)) {
        const v = numberValue(o, r);
        if (v !== null) out.push({ metric: o.metric, value: v });
      }
    }
  }
  return out;
}

type FlagOutput = Extract<ModbusOutput, { kind: 'flag' }>;

const conditionsHold = (when: Readonly<Record<string, boolean>> | undefined, flags: ReadonlyMap<string, boolean>): boolean =>
  !when || Object.entries(when).every(([m, v]) => flags.get(m) === v);

/**
 * The flags that are valid: decoded, and their own `when` holds. A condition on a flag that is
 * itself withheld does not hold (during warm-up a status word may be a countdown, so its "fault"
 * bit means nothing and must not release a reading either). The schema rejects cycles; a cycle
 * that slipped through resolves to "withheld".
 */
function resolveFlags(raw: ReadonlyMap<string, { output: FlagOutput; value: boolean }>): Map<string, boolean> {
  const valid = new Map<string, boolean | null>();
  const visiting = new Set<string>();
  const resolve = (metric: string): boolean | null => {
    const known = valid.get(metric);
    if (known !== undefined) return known;
    const f = raw.get(metric);
    if (!f || visiting.has(metric)) return null;
    visiting.add(metric);
    const ok = Object.entries(f.output.when ?? {}).every(([m, v]) => resolve(m) === v);
    visiting.delete(metric);
    const result = ok ? f.value : null;
    valid.set(metric, result);
    return result;
  };
  const flags = new Map<string, boolean>();
  for (const metric of raw.keys()) {
    const v = resolve(metric);
    if (v !== null) flags.set(metric, v);
  }
  return flags;
}

type RawValue =
  /** `bits`: the unsigned register bits (masks apply to these); `value`: the typed integer. */
  | { kind: 'int'; bits: number; value: number }
  | { kind: 'float'; value: number };

function wordsFor(pt: ModbusPoint, reads: readonly RegisterRead[]): number[] | null {
  const width = registerWidth(pt.type);
  for (const r of reads) {
    if (r.function !== pt.function) continue;
    const at = pt.address - r.address;
    if (at < 0 || at + width > r.words.length) continue;
    const words = r.words.slice(at, at + width);
    return words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffff) ? [...words] : null;
  }
  return null;
}

function toRaw(pt: ModbusPoint, words: number[]): RawValue {
  const [a = 0, b = 0] = words;
  if (pt.type === 'u16') return { kind: 'int', bits: a, value: a };
  if (pt.type === 's16') return { kind: 'int', bits: a, value: a >= 0x8000 ? a - 0x10000 : a };
  const [hi, lo] = pt.wordOrder === 'high-first' ? [a, b] : [b, a];
  const bits = hi * 0x10000 + lo;
  if (pt.type === 'u32') return { kind: 'int', bits, value: bits };
  if (pt.type === 's32') return { kind: 'int', bits, value: bits >= 0x8000_0000 ? bits - 0x1_0000_0000 : bits };
  const buf = Buffer.alloc(4);
  buf.writeUInt16BE(hi, 0);
  buf.writeUInt16BE(lo, 2);
  return { kind: 'float', value: buf.readFloatBE(0) };
}

/** The masked bits shifted down to bit 0 (mask 0x0030 on 0x0020 gives 2). */
function extract(bits: number, mask: number): number {
  // `>>> 0` reads the int32 result of `&` as unsigned, so 32-bit registers and masks work too.
  const masked = (bits & mask) >>> 0;
  const lowestBit = (mask & -mask) >>> 0;
  return masked / lowestBit;
}

function flagValue(o: FlagOutput, bits: number): boolean {
  const v = extract(bits, o.mask);
  if (o.equals) return o.equals.includes(v);
  return o.active === 'set' ? v !== 0 : v === 0;
}

function numberValue(o: Extract<ModbusOutput, { kind: 'number' }>, r: RawValue): number | null {
  let x: number;
  if (r.kind === 'float') {
    if (!Number.isFinite(r.value)) return null;
    x = r.value * o.scale + o.offset;
    if (o.decimals === undefined) return Number(x.toPrecision(7));
  } else {
    x = (o.mask === undefined ? r.value : extract(r.bits, o.mask)) * o.scale + o.offset;
  }
  const d = o.decimals ?? Math.max(decimalsOf(o.scale), decimalsOf(o.offset));
  const f = 10 ** d;
  const v = Math.round(x * f) / f;
  return Object.is(v, -0) ? 0 : v;
}

/** Decimal places of a number as written: 0.1 -> 1, 0.25 -> 2, 1e-3 -> 3, 10 -> 0. */
function decimalsOf(n: number): number {
  const [mant = '', exp] = Math.abs(n).toString().split('e');
  const frac = mant.split('.')[1]?.length ?? 0;
  return Math.max(0, frac - (exp ? Number(exp) : 0));
}
