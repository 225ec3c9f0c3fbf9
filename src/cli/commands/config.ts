/**
 * `anjuctl config show | diff FILE | apply FILE` (`config validate`: config-validate.ts; all registered in
 * src/cli/command-tree.ts).
 * - show: the config in force (the file anjud runs from: --config), secrets redacted; --json gives
 *   the validated config with every default filled in.
 * - diff FILE: what FILE changes against the config in force, key by key, on the validated configs
 *   (so a key written out at its default is no change); list entries with an `id` are matched by id.
 *   Secret values are never printed, only that they change.
 * - apply FILE: validates locally, sends set-config over the control socket, and waits for the
 *   outcome on the event stream: hub.config_applied, or hub.config_rolled_back (the supervisor
 *   restores the previous config when the new one does not start or reach the broker in
 *   uplink.apply_verify_s).
 * Exit codes: 0 shown / diffed / applied (or unchanged), 1 refused, rolled back or no outcome seen,
 * 3 anjud not running, 4 no permission, 78 a config is invalid or unreadable.
 */
import { renderProblems } from '../config-problems.js';
import type { Command } from 'commander';
import { readFileSync, statSync } from 'node:fs';
import { EXIT_CONFIG } from '../../config/check.js';
import { loadConfigFile, parseConfig, type ConfigResult } from '../../config/load.js';
import type { StreamMessage } from '../../control/protocol.js';
import { request, subscribe } from '../client.js';
import { context, EXIT, paint, run, type Ctx } from '../context.js';
import { t } from '../i18n.js';
import { startProgress } from '../progress.js';
import { redactConfigText, redactedConfigObject, REDACTED } from '../redact.js';
import { failed } from './status.js';

export async function configShow(_o: unknown, cmd: Command): Promise<void> {
  const ctx = await context(cmd);
  await run(ctx, async () => {
    const cur = readCurrent(ctx);
    if (!cur) return EXIT_CONFIG;
    if (ctx.json) ctx.out(JSON.stringify(cur.result.ok ? { file: cur.file, hash: cur.result.hash, config: redactedConfigObject(cur.result.config) } : { file: cur.file, problems: cur.result.problems }));
    else ctx.out(`# ${cur.file}${cur.result.ok ? ` (hash ${cur.result.hash})` : ''}\n${redactConfigText(cur.text)}`);
    return EXIT.OK;
  });
}

export async function configDiff(file: string, _o: unknown, cmd: Command): Promise<void> {
  const ctx = await context(cmd);
  await run(ctx, async () => {
    const cur = readCurrent(ctx);
    if (!cur) return EXIT_CONFIG;
    const next = readConfig(ctx, file);
    if (!next) return EXIT_CONFIG;
    if (!cur.result.ok || !next.result.ok) return reportProblems(ctx, cur.result.ok ? next : cur);
    const changes = diffConfigs(cur.result.config, next.result.config);
    if (ctx.json) ctx.out(JSON.stringify({ from: cur.file, to: file, changes }));
    else if (changes.length === 0) ctx.out(t(ctx.lang, 'cfNoChanges', { file }));
    else {
      ctx.out(t(ctx.lang, 'cfDiffHeader', { from: cur.file, to: file, n: changes.length }));
      printChanges(ctx, changes);
    }
    return EXIT.OK;
  });
}

export async function configApply(file: string, o: { waitS: number; ifHash?: string }, cmd: Command): Promise<void> {
  const ctx = await context(cmd);
  await run(ctx, () => apply(ctx, file, o.waitS, o.ifHash));
}

export interface Loaded { file: string; text: string; result: ConfigResult }

function readConfig(ctx: Ctx, file: string): Loaded | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    ctx.err(t(ctx.lang, 'cfUnreadable', { file, error: (err as NodeJS.ErrnoException).code ?? (err as Error).message }));
    return null;
  }
  // Schema only: the password and key files may be readable by anjud and not by the technician.
  return { file, text, result: parseConfig(text) };
}

export function readCurrent(ctx: Ctx): Loaded | null {
  return readConfig(ctx, ctx.configPath ?? '/etc/anju/anju.yaml');
}

export function reportProblems(ctx: Ctx, l: Loaded): number {
  if (l.result.ok) return EXIT.OK;
  if (ctx.json) ctx.out(JSON.stringify({ ok: false, file: l.file, problems: l.result.problems }));
  else ctx.err(`${t(ctx.lang, 'cfInvalid', { file: l.file })}\n${renderProblems(ctx.lang, l.file, l.result.problems)}`);
  return EXIT_CONFIG;
}

export interface Change { path: string; kind: 'added' | 'removed' | 'changed'; from?: unknown; to?: unknown }

const SECRET_PATH = /(^|\.)password$/;

/** Leaf-by-leaf differences; lists of objects with an `id` are keyed by it (devices, buses). */
export function diffConfigs(a: unknown, b: unknown): Change[] {
  const fa = flatten(redactedConfigObject(a as never));
  const fb = flatten(redactedConfigObject(b as never));
  const rawA = flatten(a);
  const rawB = flatten(b);
  const out: Change[] = [];
  for (const k of new Set([...fa.keys(), ...fb.keys()])) {
    const secret = SECRET_PATH.test(k) || k === 'uplink.url';
    const x = JSON.stringify(rawA.get(k));
    const y = JSON.stringify(rawB.get(k));
    if (x === y) continue;
    const from = secret && SECRET_PATH.test(k) ? REDACTED : fa.get(k);
    const to = secret && SECRET_PATH.test(k) ? REDACTED : fb.get(k);
    if (!fa.has(k)) out.push({ path: k, kind: 'added', to });
    else if (!fb.has(k)) out.push({ path: k, kind: 'removed', from });
    else out.push({ path: k, kind: 'changed', from, to });
  }
  return out.sort((p, q) => p.path.localeCompare(q.path));
}

function flatten(v: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (Array.isArray(v)) {
    const keyed = v.length > 0 && v.every((e) => e !== null && typeof e === 'object' && typeof (e as { id?: unknown }).id === 'string');
    if (v.length === 0) out.set(prefix, []);
    v.forEach((e, i) => flatten(e, `${prefix}[${keyed ? (e as { id: string }).id : i}]`, out));
  } else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) if (x !== undefined) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, v);
  }
  return out;
}

/** One line per change: `+ path: value`, `- path: value`, `~ path: from -> to` (coloured on a terminal). */
export function printChanges(ctx: Ctx, changes: readonly Change[]): void {
  for (const c of changes) {
    const line = c.kind === 'added' ? `+ ${c.path}: ${show(c.to)}` : c.kind === 'removed' ? `- ${c.path}: ${show(c.from)}` : `~ ${c.path}: ${show(c.from)} -> ${show(c.to)}`;
    ctx.out(paint(ctx, c.kind === 'added' ? 32 : c.kind === 'removed' ? 31 : 33, line));
  }
}

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/**
 * `ifHash` (--if-hash): the hash of the config the technician edited FILE from (`config show`), sent as
 * set-config's base_hash: a config that came into force meanwhile (the cloud's, another technician's)
 * is not silently replaced. Without it the file replaces whatever is in force, as before.
 */
async function apply(ctx: Ctx, file: string, waitS: number, ifHash?: string): Promise<number> {
  if (ifHash !== undefined && !/^[0-9a-f]{16}$/.test(ifHash)) {
    ctx.err(t(ctx.lang, 'cfBadHash', { hash: ifHash }));
    return EXIT.USAGE;
  }
  const local = loadConfigFile(file);
  if (!local.ok) {
    // Files the config names must be readable by anjud; as a non-root technician they may not be for us.
    const onlyFiles = local.problems.every((p) => p.message === 'file not readable');
    const schema = readConfig(ctx, file);
    if (!schema) return EXIT_CONFIG;
    if (!onlyFiles || !schema.result.ok) return reportProblems(ctx, { ...schema, result: local });
  }
  return sendConfig(ctx, readFileSync(file, 'utf8'), waitS, {}, ifHash);
}

/**
 * Sends a validated config text to anjud (set-config) and follows it through its restart: the one
 * atomic apply path (backup, validate, restart, roll back) for `config apply` and `devices add|remove`.
 * `extra` goes into the JSON result (what the caller changed). `baseHash`: the hash of the config the
 * text was edited from; anjud refuses the text (ANJU_CMD_STALE_CONFIG) if another config came into
 * force since, instead of silently undoing that one.
 */
export async function sendConfig(ctx: Ctx, text: string, waitS: number, extra: Record<string, unknown> = {}, baseHash?: string): Promise<number> {
  const L = (k: Parameters<typeof t>[1], v?: Record<string, string | number>) => t(ctx.lang, k, v);
  let sub: Awaited<ReturnType<typeof subscribe>> | null = null;
  let outcome: { kind: 'applied' | 'rolled_back'; reason?: string } | null = null;
  let hash = '';
  let generation = 0;
  const onEvent = (...[stream, d]: StreamMessage) => {
    if (stream !== 'event') return;
    const data = (d.data ?? {}) as { hash?: string; attempted_hash?: string; reason?: string };
    if (d.type === 'hub.config_applied' && data.hash === hash) outcome = { kind: 'applied' };
    if (d.type === 'hub.config_rolled_back' && data.attempted_hash === hash) outcome = { kind: 'rolled_back', ...(data.reason ? { reason: data.reason } : {}) };
  };
  // Subscribe before sending: the outcome is an event, and the daemon restarts while applying.
  // Which daemon a connection reached is told by the socket file: every start creates a new one.
  sub = await subscribe(ctx.socket, { events: true }, onEvent);
  let subSig = socketSig(ctx.socket);
  generation = 1;
  const r = await request(ctx.socket, 'set-config', { yaml: text, ...(baseHash !== undefined ? { base_hash: baseHash } : {}) });
  if (!r.ok) {
    sub.stop();
    if (r.code === 'ANJU_CMD_UNKNOWN' || /unknown command/i.test(r.message ?? '')) ctx.err(L('cfNoSetConfig'));
    return failed(ctx, r);
  }
  const data = r.data;
  if ('unchanged' in data) {
    sub.stop();
    if (ctx.json) ctx.out(JSON.stringify({ ok: true, ...extra, outcome: 'unchanged', hash: data.hash }));
    else ctx.out(L('cfUnchanged', { hash: data.hash }));
    return EXIT.OK;
  }
  hash = data.hash;
  if (!ctx.json) ctx.err(L('cfAccepted', { hash, s: data.verify_s ?? '?' }));
  const deadline = Date.now() + ((data.verify_s ?? 60) + waitS) * 1000;
  // The old daemon stops (our stream closes), the new one starts: follow it. If the new daemon goes
  // away again without "applied", the supervisor rolled back (its event is raised before the
  // restored daemon's socket accepts us, so we may not see it).
  const progress = ctx.json ? null : startProgress(process.stderr, deadline, (left) => L('cfCountdown', { left }));
  while (outcome === null && Date.now() < deadline) {
    progress?.tick();
    const current = sub;
    const closed = await Promise.race([current.closed.then(() => true), sleep(100).then(() => false)]);
    if (!closed) continue;
    if (generation >= 2) { outcome = { kind: 'rolled_back' }; break; }
    const next = await reconnect(ctx.socket, deadline, onEvent, subSig);
    if (!next) break;
    sub = next.sub;
    subSig = next.sig;
    generation++;
  }
  progress?.done();
  sub.stop();
  const result = outcome as { kind: 'applied' | 'rolled_back'; reason?: string } | null;
  if (result?.kind === 'rolled_back') await waitForRestored(ctx.socket, 20_000); // the previous config is back up
  if (ctx.json) ctx.out(JSON.stringify({ ok: result?.kind === 'applied', ...extra, outcome: result?.kind ?? 'unknown', hash, previous_hash: data.previous_hash ?? null, reason: result?.reason ?? null }));
  else if (result?.kind === 'applied') ctx.out(paint(ctx, 32, L('cfApplied', { hash })));
  else if (result?.kind === 'rolled_back') ctx.out(paint(ctx, 31, L('cfRolledBack', { reason: result.reason ?? L('cfReasonUnseen') })));
  else ctx.out(paint(ctx, 31, L('cfNoOutcome')));
  return result?.kind === 'applied' ? EXIT.OK : EXIT.FAILED;
}

/** Identity of the socket file (a new daemon binds a new file); null when there is none. */
function socketSig(path: string): string | null {
  try { const st = statSync(path); return `${st.ino}:${st.ctimeMs}`; } catch { return null; }
}

/**
 * Subscribes to the next daemon: one whose socket file is not `oldSig`. A connection that reaches the
 * old daemon in its last milliseconds (its file is still there) is dropped and retried.
 */
async function reconnect(socket: string, deadline: number, onEvent: (...m: StreamMessage) => void, oldSig: string | null) {
  while (Date.now() < deadline) {
    const sig = socketSig(socket);
    if (sig !== null && sig !== oldSig) {
      try {
        const sub = await subscribe(socket, { events: true }, onEvent);
        if (socketSig(socket) === sig) return { sub, sig };
        sub.stop(); // the file changed under us: find out again which daemon this is
      } catch { /* not listening yet */ }
    }
    await sleep(20);
  }
  return null;
}

/**
 * After a rollback: the daemon we followed may still answer for a moment while it stops; wait until
 * it is gone, then until the restored one answers, so the caller sees the previous config in force.
 */
async function waitForRestored(socket: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  const answers = async () => { try { return (await request(socket, 'ping', {}, 2000)).ok; } catch { return false; } };
  const goneBy = Date.now() + 5000;
  while (Date.now() < goneBy && (await answers())) await sleep(50);
  while (Date.now() < end && !(await answers())) await sleep(200);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
