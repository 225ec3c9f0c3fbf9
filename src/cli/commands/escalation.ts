import type { Command } from 'commander';
import type { StoredEvent } from '../../core/event.js';
import { request, subscribe } from '../client.js';
import { context, EXIT, localTime, paint, run, type Ctx } from '../context.js';
import { t } from '../i18n.js';
import { isEscalationEvent } from '../../escalation/ladder.js';
import { failed } from './status.js';

/**
 * `anjuctl escalation test`: walks the escalation ladder for real (issue 15) with test texts, the
 * siren chirping and the test prompt: every contact receives "测试 / test" and a call. Prints each
 * step and its result as the daemon's hub.escalation_* events come, until the walk ends.
 */
export async function escalationTest(o: { by: string }, cmd: Command): Promise<void> {
  const ctx = await context(cmd);
  await run(ctx, async () => {
    const r = await walkEscalation(ctx, o.by, (e) => { if (ctx.json) ctx.out(JSON.stringify(e)); }, (text) => { if (!ctx.json) ctx.out(text); });
    if ('failure' in r) return failed(ctx, r.failure);
    return r.ok ? EXIT.OK : EXIT.FAILED;
  });
}

/** What a walk of the ladder came to: its steps' results, or the daemon's refusal to start one. */
export type EscalationWalk =
  | { ok: boolean; id: string; steps: number; stepsOk: number }
  | { failure: Parameters<typeof failed>[1] };

/**
 * Walks the ladder for real (the daemon's escalation-test) and follows its hub.escalation_* events
 * until it stops: what `anjuctl escalation test` prints, and the walk test's last step when the hub
 * has a contact channel (issue 15 point 5). `event` sees every event of the walk, `say` each line.
 */
export async function walkEscalation(ctx: Ctx, by: string, event: (e: StoredEvent) => void, say: (text: string) => void): Promise<EscalationWalk> {
  let id: string | null = null;
  const early: StoredEvent[] = [];
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => { done = resolve; });
  let ok = 0;
  let n = 0;
  const show = (e: StoredEvent): void => {
    if (e.data.alarm_id !== id) return;
    event(e);
    const line = describe(ctx, e);
    if (line !== null) {
      n++;
      if (line.ok) ok++;
      say(`${localTime(ctx, e.ts)}  ${line.text}`);
    }
    if (e.type === 'hub.escalation_stopped') done();
  };
  // Subscribed first, so no step of the walk is missed.
  const sub = await subscribe(ctx.socket, { events: true, readings: false }, (stream, e) => {
    if (stream !== 'event' || !isEscalationEvent(e.type)) return;
    if (id === null) early.push(e); else show(e);
  });
  const r = await request(ctx.socket, 'escalation-test', { by });
  if (!r.ok) { sub.stop(); return { failure: r }; }
  id = r.data.id;
  say(t(ctx.lang, 'escTestStarted', { id, rungs: String(r.data.rungs) }));
  for (const e of early.splice(0)) show(e);
  let interrupted = false;
  const onInt = (): void => { interrupted = true; done(); };
  process.once('SIGINT', onInt);
  await Promise.race([finished, sub.closed]);
  process.off('SIGINT', onInt);
  sub.stop();
  say(t(ctx.lang, 'escDone', { ok: String(ok), n: String(n) }));
  return { ok: !interrupted && n > 0 && ok === n, id, steps: n, stepsOk: ok };
}

/** A part of the home step (siren, prompt) as it went: ok, failed or none; '-' when the event does not say. */
function part(ctx: Ctx, v: unknown): string {
  const key = v === 'ok' ? 'escPartOk' : v === 'failed' ? 'escPartFailed' : v === 'none' ? 'escPartNone' : null;
  return key ? t(ctx.lang, key) : String(v ?? '-');
}

/** One finished step as a line, or null for events that are not a step's result. */
function describe(ctx: Ctx, e: StoredEvent): { ok: boolean; text: string } | null {
  const d = e.data as Record<string, string | number | boolean | undefined>;
  const who = { contact: String(d.contact ?? ''), phone: String(d.phone ?? '') };
  const sep = ctx.lang === 'zh' ? '：' : ': ';
  const result = (isOk: boolean) => (isOk ? paint(ctx, 32, t(ctx.lang, 'escResultOk')) : paint(ctx, 31, t(ctx.lang, 'escResultFailed', { code: String(d.code ?? ''), detail: String(d.detail ?? '') })));
  switch (e.type) {
    case 'hub.escalation_sounded': return { ok: d.ok === true, text: t(ctx.lang, 'escSoundLine', { step: t(ctx.lang, 'escStepSound'), result: result(d.ok === true), siren: part(ctx, d.siren), prompt: part(ctx, d.prompt) }) };
    case 'hub.escalation_sms_sent': return { ok: true, text: `${t(ctx.lang, 'escStepSms', who)}${sep}${result(true)}` };
    case 'hub.escalation_sms_failed': return d.final ? { ok: false, text: `${t(ctx.lang, 'escStepSms', who)}${sep}${result(false)}` } : null;
    case 'hub.escalation_call_made': return { ok: true, text: `${t(ctx.lang, 'escStepCall', who)}${sep}${result(true)}` };
    case 'hub.escalation_call_failed': return d.final ? { ok: false, text: `${t(ctx.lang, 'escStepCall', who)}${sep}${result(false)}` } : null;
    default: return null;
  }
}
