import { createHash } from 'node:crypto';
import type { Config } from './schema.js';
import { ruleText, type RuleCode, type RuleVars } from '../core/config-rules.js';

/**
 * What validating a config produces, and how problems are printed: plain data and functions with
 * no zod, so that the daemon (which validates in a worker, see validate-off-thread.ts) can report
 * them without loading the schema.
 */

/** Exit code for an invalid config (sysexits EX_CONFIG); systemd's unit does not restart on it. */
export const EXIT_CONFIG = 78;

/** One thing wrong with a config file: where, what was expected, what was found. */
export interface ConfigProblem {
  /** Key path such as `devices[1].serial.path`; empty for the whole document. */
  readonly path: string;
  readonly message: string;
  readonly expected?: string;
  readonly found?: string;
  /** The allowed key or value closest to what was found (src/config/suggest.ts), when one is close. */
  readonly suggestion?: string;
  readonly line?: number;
  readonly col?: number;
  /**
   * The stable code of the schema rule (src/core/config-rules.ts) whose English text is `message`
   * (or, for a format check, `expected`), with its values: how anjuctl prints it in the reader's
   * language and what scripts match on (`--json`). Absent for the generic problems above.
   */
  readonly code?: string;
  readonly params?: Readonly<Record<string, string>>;
}

/**
 * A problem in the words of a rule (src/core/config-rules.ts), with its code and values: what the
 * validator reports of its own (a YAML error, a duplicate id), as load.ts does for the schema's rules.
 */
export function ruleProblem(path: string, code: RuleCode, vars: RuleVars = {}, extra: Omit<ConfigProblem, 'path' | 'message' | 'code' | 'params'> = {}): ConfigProblem {
  return { path, message: ruleText(code, vars), code, params: Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, String(v)])), ...extra };
}

/** First 16 hex digits of the SHA-256 of a config's text: announced so the cloud sees what runs. */
export const configHash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);

/**
 * `hash`: configHash of the text. `warnings`: what is wrong but does not stop this config from running
 * (a broken local profile folder of a model no device uses): printed by `config validate`, logged by anjud.
 */
export type ConfigResult = { ok: true; config: Readonly<Config>; hash: string; warnings?: ConfigProblem[] } | { ok: false; problems: ConfigProblem[] };

/** In the order a person reads the file: by line and column; problems without a place first. */
export function byLine(problems: readonly ConfigProblem[]): ConfigProblem[] {
  return [...problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
}

/** `file:line:col: path: message (expected X, found Y)`, one line each, compiler style, sorted by line. */
export function formatProblems(file: string, problems: readonly ConfigProblem[]): string {
  return byLine(problems)
    .map((p) => {
      const where = p.line ? `${file}:${p.line}:${p.col}` : file;
      // A close suggestion replaces the list of every allowed value.
      const detail = [p.suggestion && `did you mean ${JSON.stringify(p.suggestion)}?`, !p.suggestion && p.expected && `expected ${p.expected}`, p.found && `found ${p.found}`].filter(Boolean).join(', ');
      return `${where}: ${p.path || '(document)'}: ${p.message}${detail ? ` (${detail})` : ''}`;
    })
    .join('\n');
}

/** The config is shared by every part of the daemon: none may change it. */
export function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}
