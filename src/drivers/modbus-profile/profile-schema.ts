import { z } from 'zod';

/**
 * The shape of `devices/<model>/profile.json` for a Modbus device: which registers to read and what
 * each raw word means, as data. A technician adds a model by copying `devices/modbus-generic/` and
 * filling in the register map from the device's manual; no code changes (see its README).
 *
 * Addresses are PDU addresses, counted from 0, as they travel on the wire. Manuals often print
 * "reference numbers" instead: holding register 40001 is address 0 with function 3, input
 * register 30001 is address 0 with function 4 (Modbus Application Protocol v1.1b3, 4.3-4.4).
 */

const METRIC = /^[a-z][A-Za-z0-9]*$/;
const metricName = z.string().regex(METRIC, 'a camelCase metric name such as gasLelPercent');

/** A bit mask: a number, or a "0x..." string because manuals give masks in hex. */
const mask = z.union([
  z.number().int().min(1).max(0xffff_ffff),
  z.string().regex(/^0x[0-9a-fA-F]{1,8}$/, 'a hex mask such as "0x0003"').transform((s) => Number.parseInt(s, 16)),
]).refine((m) => m > 0, 'a mask needs at least one bit');

/**
 * Emit the output only while these flags (metric names of `flag` outputs in the same profile) have
 * these values, e.g. `{ "sensorWarmingUp": false }`: a concentration read during warm-up is noise.
 * A referenced flag that could not be decoded counts as not matching, so the output is withheld.
 */
const when = z.record(metricName, z.boolean());

const NumberOutput = z.strictObject({
  kind: z.literal('number'),
  metric: metricName,
  /** Keep only these bits, shifted down to bit 0 (e.g. "0x7FFF" for a 15-bit counter). */
  mask: mask.optional(),
  /** value = raw * scale + offset. */
  scale: z.number().finite().refine((s) => s !== 0, 'scale 0 would hide every reading').default(1),
  offset: z.number().finite().default(0),
  /**
   * Round to this many decimals. Default: as many as scale and offset have (0.1 -> 1), so a raw 123
   * becomes exactly 12.3; for float32, 7 significant digits (what a float32 holds).
   */
  decimals: z.number().int().min(0).max(12).optional(),
  unit: z.string(),
  meaning: z.string().min(1),
  when: when.optional(),
});

const FlagOutput = z.strictObject({
  kind: z.literal('flag'),
  metric: metricName,
  mask,
  /**
   * Without `equals`: true when any masked bit is set (`active: "set"`, the default) or when all are
   * clear (`active: "clear"`, for "ready" bits that mean trouble when 0).
   */
  active: z.enum(['set', 'clear']).default('set'),
  /**
   * For status words that hold a code instead of bits: true when the masked value, shifted down to
   * bit 0, is one of these (e.g. mask "0x0030", equals [1, 2] for "fault status 1 or 2").
   */
  equals: z.array(z.number().int().min(0)).min(1).optional(),
  meaning: z.string().min(1),
  when: when.optional(),
});

const Output = z.discriminatedUnion('kind', [NumberOutput, FlagOutput]);

export const registerTypes = ['u16', 's16', 'u32', 's32', 'float32'] as const;
export type RegisterType = (typeof registerTypes)[number];

/** 16-bit registers a value of this type spans. */
export const registerWidth = (t: RegisterType): 1 | 2 => (t === 'u16' || t === 's16' ? 1 : 2);

const Point = z.strictObject({
  /** A name for people, e.g. "status"; not emitted. */
  name: z.string().min(1),
  /** The manual's own name for the register ("40002", "0x6000"), to find it again; documentation only. */
  reference: z.string().optional(),
  /** 3 = read holding registers, 4 = read input registers. */
  function: z.union([z.literal(3), z.literal(4)]),
  address: z.number().int().min(0).max(0xffff),
  type: z.enum(registerTypes),
  /**
   * For 32-bit types: which register holds the high half. Bytes inside one register are always
   * big-endian (Modbus); the order of the two registers is not standardised and varies by vendor.
   * "high-first" (AB CD, the more common) or "low-first" (CD AB, "word swapped").
   */
  wordOrder: z.enum(['high-first', 'low-first']).default('high-first'),
  outputs: z.array(Output).min(1),
});

const SerialDefaults = z.strictObject({
  baudRate: z.number().int().positive(),
  dataBits: z.union([z.literal(7), z.literal(8)]).default(8),
  parity: z.enum(['none', 'even', 'odd']).default('none'),
  stopBits: z.union([z.literal(1), z.literal(2)]).default(1),
});

export const ModbusProfileSchema = z.strictObject({
  model: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'kebab-case, the name of the folder under devices/'),
  vendor: z.string().min(1),
  name: z.string().min(1),
  driver: z.literal('modbus-profile'),
  transport: z.literal('modbus'),
  /** The device-supervision class (checked by the catalogue, src/drivers/catalogue.ts). */
  supervisionClass: z.string().optional(),
  /** "typical": a register layout many devices share, not one vendor's published map; check yours. */
  mapKind: z.enum(['vendor', 'typical', 'template']),
  /** Line settings the device ships with; config may override them per bus. */
  serial: SerialDefaults,
  /** Unit id (slave address) the device ships with. */
  defaultUnitId: z.number().int().min(1).max(247),
  points: z.array(Point).min(1),
}).superRefine((p, ctx) => {
  const metrics = new Map<string, 'number' | 'flag'>();
  p.points.forEach((pt, i) => {
    const width = registerWidth(pt.type);
    if (pt.address + width > 0x10000) ctx.addIssue({ code: 'custom', path: ['points', i, 'address'], message: `a ${pt.type} at ${pt.address} runs past the last register (65535)` });
    const bits = width * 16;
    pt.outputs.forEach((o, j) => {
      const at = ['points', i, 'outputs', j];
      if (metrics.has(o.metric)) ctx.addIssue({ code: 'custom', path: [...at, 'metric'], message: `metric ${o.metric} is already produced by another output` });
      metrics.set(o.metric, o.kind);
      if (o.mask !== undefined && pt.type === 'float32') ctx.addIssue({ code: 'custom', path: [...at, 'mask'], message: 'masks apply to integer registers, not float32' });
      if (o.mask !== undefined && bits === 16 && o.mask > 0xffff) ctx.addIssue({ code: 'custom', path: [...at, 'mask'], message: `mask ${o.mask.toString(16)} is wider than a 16-bit register` });
      if (o.kind === 'flag' && o.equals && o.active !== 'set') ctx.addIssue({ code: 'custom', path: [...at, 'active'], message: 'give equals or active: "clear", not both' });
    });
  });
  // Registers must not overlap: two meanings for one word is a typo in the map.
  const used = new Map<string, string>();
  p.points.forEach((pt, i) => {
    for (let k = 0; k < registerWidth(pt.type); k++) {
      const key = `${pt.function}:${pt.address + k}`;
      const other = used.get(key);
      if (other) ctx.addIssue({ code: 'custom', path: ['points', i, 'address'], message: `function ${pt.function} register ${pt.address + k} is already read by point "${other}"` });
      used.set(key, pt.name);
    }
  });
  p.points.forEach((pt, i) => pt.outputs.forEach((o, j) => {
    for (const ref of Object.keys(o.when ?? {})) {
      if (metrics.get(ref) !== 'flag') ctx.addIssue({ code: 'custom', path: ['points', i, 'outputs', j, 'when', ref], message: `when refers to ${ref}, which is not a flag output of this profile` });
    }
  }));
  // Flags conditioned on each other in a circle would never be emitted.
  const deps = new Map(p.points.flatMap((pt) => pt.outputs).filter((o) => o.kind === 'flag').map((o) => [o.metric, Object.keys(o.when ?? {})]));
  const state = new Map<string, 'visiting' | 'done'>();
  const cyclic = (m: string): boolean => {
    if (state.get(m) === 'done') return false;
    if (state.get(m) === 'visiting') return true;
    state.set(m, 'visiting');
    const found = (deps.get(m) ?? []).some(cyclic);
    state.set(m, 'done');
    return found;
  };
  for (const m of deps.keys()) {
    if (cyclic(m)) { ctx.addIssue({ code: 'custom', path: ['points'], message: `the when conditions of flag ${m} form a cycle` }); break; }
  }
});

export type ModbusProfile = z.output<typeof ModbusProfileSchema>;
export type ModbusPoint = ModbusProfile['points'][number];
export type ModbusOutput = ModbusPoint['outputs'][number];

export type ProfileParseResult = { ok: true; profile: ModbusProfile } | { ok: false; errors: string[] };

/**
 * Validates a profile (from devices/ at build time, or a technician's file at start-up). Errors name
 * the key path, e.g. `points[1].outputs[0].mask: ...`, so the mistake can be found in the JSON.
 */
export function parseModbusProfile(json: unknown): ProfileParseResult {
  const r = ModbusProfileSchema.safeParse(json);
  if (r.success) return { ok: true, profile: r.data };
  return {
    ok: false,
    errors: r.error.issues.map((i) => `${i.path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('').replace(/^\./, '') || '(profile)'}: ${i.message}`),
  };
}

/** For profiles shipped in devices/: an invalid one is a programmer error, found by the fixture test. */
export function loadModbusProfile(json: unknown): ModbusProfile {
  const r = parseModbusProfile(json);
  if (!r.ok) throw new Error(`invalid Modbus profile ${(json as { model?: unknown })?.model ?? ''}:\n  ${r.errors.join('\n  ')}`);
  return r.profile;
}
