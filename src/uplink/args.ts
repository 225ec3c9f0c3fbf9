/**
 * Argument schemas for the hub's commands (src/daemon/commands.ts): strict objects of bounded
 * integers and strings, with defaults. Deliberately not zod: the commands are part of the running
 * daemon, and zod alone costs ~12 MB of resident memory on a hub that otherwise never loads it
 * (the config arrives validated, see src/config/validate-worker.ts). A zod schema fits the same
 * `ArgsSchema` interface, so tests and tools can still use one.
 */

export interface ArgsIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

export type ArgsResult<A> = { success: true; data: A } | { success: false; error: { issues: readonly ArgsIssue[] } };

/**
 * What the command dispatcher needs of an arguments schema (a zod schema has it too). `A` is what
 * a handler gets (defaults filled in); `I` what a sender may send (keys with a default or optional
 * may be left out): a type only, never set, so that anjuctl's typed requests follow the schema.
 */
export interface ArgsSchema<A, I = A> {
  safeParse(raw: unknown): ArgsResult<A>;
  readonly input?: I;
}

type Check<T> = (v: unknown) => { ok: true; value: T } | { ok: false; message: string };

interface Field<T> {
  readonly check: Check<T>;
  /** Used when the key is absent; without one the key is required (unless optional). */
  readonly default?: T;
  /** The key may be absent; it is then left out of the result. */
  readonly optional?: true;
}

const found = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : typeof v === 'string' ? `string of length ${v.length}` : `${typeof v} ${String(v)}`;

/** A field with a default: the sender may leave it out. */
type Defaulted<T> = Field<T> & { readonly default: T };

/** An integer within [min, max]. */
export function int(min: number, max: number): Field<number>;
export function int(min: number, max: number, dflt: number): Defaulted<number>;
export function int(min: number, max: number, dflt?: number): Field<number> {
  const check: Check<number> = (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? { ok: true, value: v } : { ok: false, message: `expected an integer from ${min} to ${max}, found ${found(v)}` };
  return dflt === undefined ? { check } : { check, default: dflt };
}

/** A string of minLength to maxLength characters. */
export function str(minLength: number, maxLength: number): Field<string>;
export function str(minLength: number, maxLength: number, dflt: string): Defaulted<string>;
export function str(minLength: number, maxLength: number, dflt?: string): Field<string> {
  const check: Check<string> = (v) =>
    typeof v === 'string' && v.length >= minLength && v.length <= maxLength ? { ok: true, value: v } : { ok: false, message: `expected a string of ${minLength} to ${maxLength} characters, found ${found(v)}` };
  return dflt === undefined ? { check } : { check, default: dflt };
}

/** A string matching `re`; `what` says in words what is expected (for the error message). */
export function matching(re: RegExp, what: string): Field<string> {
  return { check: (v) => (typeof v === 'string' && re.test(v) ? { ok: true, value: v } : { ok: false, message: `expected ${what}, found ${found(v)}` }) };
}

/** The same field, but the key may be absent. */
export function optional<T>(field: Field<T>): Field<T | undefined> & { readonly optional: true } {
  return { check: field.check, optional: true };
}

type Parsed<S> = { [K in keyof S]: S[K] extends Field<infer T> ? T : never };
/** Keys a sender may leave out: those with a default, and optional ones. */
type Omissible<S> = { [K in keyof S]: S[K] extends { readonly default: unknown } | { readonly optional: true } ? K : never }[keyof S];
type Sent<S> = { [K in Exclude<keyof S, Omissible<S>>]: Parsed<S>[K] } & { [K in Omissible<S>]?: Exclude<Parsed<S>[K], undefined> };

/** An object with exactly these keys (an unknown key is an error, as a misspelt one would be ignored). */
export function strictArgs<S extends Record<string, Field<unknown>>>(shape: S): ArgsSchema<Parsed<S>, Sent<S>> {
  type A = Parsed<S>;
  return {
    safeParse(raw) {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { success: false, error: { issues: [{ path: [], message: `expected an object, found ${found(raw)}` }] } };
      const issues: ArgsIssue[] = [];
      const out: Record<string, unknown> = {};
      for (const [key, field] of Object.entries(shape)) {
        const v = (raw as Record<string, unknown>)[key];
        if (v === undefined) {
          if ('default' in field) out[key] = field.default;
          else if (!field.optional) issues.push({ path: [key], message: 'required' });
          continue;
        }
        const r = field.check(v);
        if (r.ok) out[key] = r.value;
        else issues.push({ path: [key], message: r.message });
      }
      for (const key of Object.keys(raw)) {
        if (!Object.hasOwn(shape, key)) issues.push({ path: [key], message: `unknown key; expected ${Object.keys(shape).length > 0 ? `only ${Object.keys(shape).join(', ')}` : 'no arguments'}` });
      }
      return issues.length > 0 ? { success: false, error: { issues } } : { success: true, data: out as A };
    },
  };
}

/**
 * `schema`, plus a check across its keys once each key is valid (e.g. "at least one of"): returns
 * the issue, or null when the arguments are fine.
 */
export function refine<A, I>(schema: ArgsSchema<A, I>, check: (args: A) => ArgsIssue | null): ArgsSchema<A, I> {
  return {
    safeParse(raw) {
      const r = schema.safeParse(raw);
      if (!r.success) return r;
      const issue = check(r.data);
      return issue ? { success: false, error: { issues: [issue] } } : r;
    },
  };
}

/** A check for `refine`: at least one of `keys` is given. */
export function atLeastOneOf<A extends object>(...keys: readonly (keyof A & string)[]): (args: A) => ArgsIssue | null {
  return (args) => (keys.some((k) => args[k] !== undefined) ? null : { path: [], message: `expected ${keys.join(' or ')} (or ${keys.length > 2 ? 'several' : 'both'}), found neither` });
}
