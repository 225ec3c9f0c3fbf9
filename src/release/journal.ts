import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The release manager's journal (packaging/anju-release, format in packaging/README.md): one file per
 * upgrade or rollback attempt in /var/lib/anju-release/journal/, `KEY=value` lines, written by root
 * with a temp file and rename. anjud reads it to tell the cloud what happened (hub.upgraded,
 * hub.upgrade_rolled_back) and to show the last attempt in get-status. Parsing is strict and bounded
 * (a file is data, never code): a file that does not parse is skipped and named.
 */
export const DEFAULT_JOURNAL_DIR = '/var/lib/anju-release/journal';

/** Where anjud looks: ANJU_RELEASE_JOURNAL for tests and other layouts, else the package's place. */
export const journalDir = (env: NodeJS.ProcessEnv = process.env): string => env.ANJU_RELEASE_JOURNAL || DEFAULT_JOURNAL_DIR;

export const ATTEMPT_STATES = ['pending', 'confirmed', 'rolling_back', 'rolled_back', 'refused'] as const;
export type AttemptState = (typeof ATTEMPT_STATES)[number];

export interface Attempt {
  /** `<UTC yyyymmddThhmmssZ>-<from>-<to>`, also the file name: sorts by time. */
  id: string;
  kind: 'upgrade' | 'rollback';
  /** The release running before the attempt ('' on a first install). */
  from: string;
  /** The release the attempt switched to. */
  to: string;
  state: AttemptState;
  /** When the state last changed, ms since the epoch. */
  ts: number;
  /** Why it was refused or rolled back, for people; '' otherwise. */
  reason: string;
  /** `passed`, `failed`, `skipped:<why>`, or '' before the gate. */
  gate: string;
}

const MAX_FILE_BYTES = 4096;
const ID = /^\d{8}T\d{6}Z-[0-9A-Za-z.+~]*-[0-9A-Za-z.+~]+(-\d+)?$/;
const VERSION = /^[0-9A-Za-z.+~]{0,64}$/;

/** One journal file's text as an Attempt, or why not. */
export function parseAttempt(text: string): { ok: true; attempt: Attempt } | { ok: false; problem: string } {
  const vars = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) return { ok: false, problem: `not KEY=value: ${JSON.stringify(line.slice(0, 80))}` };
    vars.set(line.slice(0, eq), line.slice(eq + 1));
  }
  const get = (k: string): string => vars.get(k) ?? '';
  const id = get('id');
  if (!ID.test(id)) return { ok: false, problem: `id: expected <yyyymmddThhmmssZ>-<from>-<to>, found ${JSON.stringify(id)}` };
  const kind = get('kind');
  if (kind !== 'upgrade' && kind !== 'rollback') return { ok: false, problem: `kind: expected upgrade or rollback, found ${JSON.stringify(kind)}` };
  const state = get('state') as AttemptState;
  if (!ATTEMPT_STATES.includes(state)) return { ok: false, problem: `state: expected one of ${ATTEMPT_STATES.join(', ')}, found ${JSON.stringify(state)}` };
  for (const k of ['from', 'to']) if (!VERSION.test(get(k))) return { ok: false, problem: `${k}: expected a version, found ${JSON.stringify(get(k))}` };
  if (get('to') === '') return { ok: false, problem: 'to: missing' };
  const ts = Number(get('ts'));
  if (!/^\d{1,16}$/.test(get('ts'))) return { ok: false, problem: `ts: expected ms since the epoch, found ${JSON.stringify(get('ts'))}` };
  return { ok: true, attempt: { id, kind, from: get('from'), to: get('to'), state, ts, reason: get('reason').slice(0, 1000), gate: get('gate').slice(0, 200) } };
}

/** Every attempt in the journal, oldest first, and the files that could not be read. */
export function readJournal(dir: string): { attempts: Attempt[]; skipped: Array<{ file: string; problem: string }> } {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => !n.startsWith('.')).sort();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // No journal yet (no upgrade ever ran, or anjud runs outside the package): nothing to report.
    if (code === 'ENOENT' || code === 'ENOTDIR') return { attempts: [], skipped: [] };
    return { attempts: [], skipped: [{ file: dir, problem: (err as Error).message }] };
  }
  const attempts: Attempt[] = [];
  const skipped: Array<{ file: string; problem: string }> = [];
  for (const name of names) {
    const file = join(dir, name);
    try {
      const st = statSync(file);
      if (!st.isFile()) continue;
      if (st.size > MAX_FILE_BYTES) {
        skipped.push({ file, problem: `larger than ${MAX_FILE_BYTES} bytes` });
        continue;
      }
      const r = parseAttempt(readFileSync(file, 'utf8'));
      if (r.ok && r.attempt.id === name) attempts.push(r.attempt);
      else skipped.push({ file, problem: r.ok ? `id ${r.attempt.id} differs from the file name` : r.problem });
    } catch (err) {
      skipped.push({ file, problem: (err as Error).message });
    }
  }
  return { attempts, skipped };
}

/**
 * The event an attempt owes the cloud, told by the release that runs afterwards (docs/uplink.md):
 * - an upgrade the health gate confirmed: `hub.upgraded`, by the release it switched to;
 * - an upgrade the gate failed, switched back: `hub.upgrade_rolled_back`, by the release running again;
 * - a rollback by hand (`anju-release rollback`): `hub.upgrade_rolled_back`, by the release it switched to.
 * Anything else (pending, refused: nothing switched; another release running) is not this process's to tell.
 */
export function eventFor(a: Attempt, runningVersion: string): { type: 'hub.upgraded' | 'hub.upgrade_rolled_back'; severity: 'info' | 'warning'; data: Record<string, unknown> } | null {
  if (a.kind === 'upgrade' && a.state === 'confirmed' && a.to === runningVersion) {
    return { type: 'hub.upgraded', severity: 'info', data: { attempt: a.id, version: a.to, previous: a.from === '' ? null : a.from, gate: a.gate } };
  }
  const rolledBack = (version: string, from: string, trigger: 'health_gate' | 'manual') => ({
    type: 'hub.upgrade_rolled_back' as const, severity: 'warning' as const,
    data: { attempt: a.id, version, rolled_back_from: from, trigger, reason: a.reason, gate: a.gate },
  });
  if (a.kind === 'upgrade' && a.state === 'rolled_back' && a.from === runningVersion) return rolledBack(a.from, a.to, 'health_gate');
  if (a.kind === 'rollback' && a.state === 'confirmed' && a.to === runningVersion) return rolledBack(a.to, a.from, 'manual');
  return null;
}
