import type { EventDraft } from '../core/event.js';
import type { ChannelFailureCode } from './contact-channel.js';
import { ruleFor, rungsOf, type Contact, type EscalationPolicy, type Rung } from './policy.js';

/**
 * The local escalation ladder (issue 15) as a pure state machine: no I/O, no timers; time comes in
 * as `now` (ms, wall clock). The daemon (src/daemon/escalation.ts) feeds it the alarms, the uplink's
 * state and each action's result, commits the events it returns (hub.escalation_*, in order) and
 * runs the actions (sound, SMS, call, silence) through the ContactChannel and the sounders.
 *
 * Per open alarm that escalates (policy.ts ruleFor): `watching` until a trigger holds (immediate
 * type, uplink down, no cloud confirmation within cloud_confirm_s, no acknowledgement within
 * ack_within_s), then `running` rung by rung (sound, SMS 1..n, call 1..n; retries on failure), then
 * `done` (contacts told or stopped) while a fire-class siren sounds on until the alarm clears.
 *
 * Delivery per rung, across a crash (the state is saved with the events, docs/escalation.md):
 * a rung is recorded as intent (`hub.escalation_step`, `inflight`) before its action runs and as
 * done (sms_sent/failed, ...) after. A rung done is never run again; a rung whose intent was
 * recorded but not its result is run again after a restart (`resumed: true`): AT LEAST ONCE, since
 * a relative who gets an SMS twice is better off than one who gets none.
 */

export interface LadderAlarm {
  readonly id: string;
  readonly seq: number;
  readonly type: string;
  readonly severity: string;
  readonly device: string | null;
  readonly raisedTs: number;
}

export type StartReason = 'immediate' | 'uplink_down' | 'not_confirmed' | 'not_acknowledged' | 'test';
export type StopReason = 'acknowledged' | 'cleared' | 'exhausted' | 'cancelled';

export interface Ladder {
  alarm: LadderAlarm;
  phase: 'watching' | 'running' | 'done';
  /** Index into rungsOf(policy); the rung to run next (or running, when inflight). */
  rung: number;
  /** 1 for the first try of a rung. */
  attempt: number;
  /** When the rung may run, ms. */
  dueTs: number;
  /** Intent recorded, result not yet. */
  inflight: boolean;
  /** The siren was started and not silenced. */
  sounding: boolean;
  /** A test walk (anjuctl escalation test): the texts say so, and it ends when it runs out. */
  test: boolean;
  /** Set by recover(): the rung in flight at a crash runs again. */
  resumed?: boolean;
}

export interface LadderState {
  ladders: Ladder[];
  /** Last successful send per `sms:<phone>` / `call:<phone>`, ms: the per-contact rate limit. */
  lastSent: Record<string, number>;
}

/** The ladder's own events (hub.escalation_started, _step, ...). */
export const isEscalationEvent = (type: string): boolean => /^hub\.escalation_[a-z_]+$/.test(type);

export const emptyLadderState = (): LadderState => ({ ladders: [], lastSent: {} });

/** What the world looks like at a tick. */
export interface World {
  /** Since when the uplink has been down, ms; null while it is up. */
  readonly uplinkDownSinceTs: number | null;
  /** Highest event seq the cloud confirmed (cumulative acks), or null. */
  readonly cloudConfirmedSeq: number | null;
}

export type Action =
  | { readonly kind: 'sound'; readonly alarm: LadderAlarm; readonly rung: number; readonly attempt: number; readonly test: boolean }
  | { readonly kind: 'sms'; readonly alarm: LadderAlarm; readonly rung: number; readonly attempt: number; readonly contact: Contact; readonly test: boolean }
  | { readonly kind: 'call'; readonly alarm: LadderAlarm; readonly rung: number; readonly attempt: number; readonly contact: Contact; readonly test: boolean }
  | { readonly kind: 'silence'; readonly alarm: LadderAlarm };

export type Outcome =
  | { readonly ok: true; readonly parts?: number; readonly answered?: boolean; readonly promptPlayed?: boolean; readonly siren?: string; readonly prompt?: string; readonly detail?: string }
  | { readonly ok: false; readonly code: ChannelFailureCode | 'not_configured' | 'failed'; readonly detail: string };

export interface Step {
  state: LadderState;
  events: EventDraft[];
  actions: Action[];
}

const ev = (type: string, alarm: LadderAlarm, data: Record<string, unknown>): EventDraft => ({
  type, severity: 'info', device: alarm.device, state: 'info',
  data: { alarm_id: alarm.id, alarm_type: alarm.type, alarm_seq: alarm.seq, ...data },
});
const contactData = (c: Contact) => ({ contact: c.name, phone: c.phone });
const rungData = (r: Rung) => (r.action === 'sound' ? { action: 'sound' } : { action: r.action, ...contactData(r.contact) });

function replace(s: LadderState, id: string, l: Ladder | null): LadderState {
  const ladders = s.ladders.filter((x) => x.alarm.id !== id);
  return { ...s, ladders: l ? [...ladders, l] : ladders };
}

/** An alarm became open (or is found open at start): watched, or started at once. */
export function raised(p: EscalationPolicy, s: LadderState, alarm: LadderAlarm, now: number, test = false): Step {
  if (s.ladders.some((l) => l.alarm.id === alarm.id)) return { state: s, events: [], actions: [] };
  const rule = ruleFor(p, alarm.type, alarm.severity);
  if (!rule.escalates && !test) return { state: s, events: [], actions: [] };
  const l: Ladder = { alarm, phase: 'watching', rung: 0, attempt: 1, dueTs: now, inflight: false, sounding: false, test };
  const next = replace(s, alarm.id, l);
  if (test) return start(p, next, l, 'test', now);
  return rule.immediate ? start(p, next, l, 'immediate', now) : { state: next, events: [], actions: [] };
}

function start(p: EscalationPolicy, s: LadderState, l: Ladder, reason: StartReason, now: number): Step {
  const started: Ladder = { ...l, phase: 'running', rung: 0, attempt: 1, dueTs: now };
  const e = ev('hub.escalation_started', l.alarm, { reason, rungs: rungsOf(p).map(rungData), test: l.test });
  const r = runDue(p, replace(s, l.alarm.id, started), now);
  return { state: r.state, events: [e, ...r.events], actions: r.actions };
}

/**
 * The alarm was acknowledged (cloud, CLI, button, a contact's reply), cleared, or cancelled (the
 * SOS button's cancel gesture). A watched ladder ends silently; a running one with
 * hub.escalation_stopped. A fire-class siren is silenced only when the alarm clears.
 */
export function stop(p: EscalationPolicy, s: LadderState, alarmId: string, reason: Exclude<StopReason, 'exhausted'>, by: string | null): Step {
  const l = s.ladders.find((x) => x.alarm.id === alarmId);
  if (!l) return { state: s, events: [], actions: [] };
  const keepSounding = reason === 'acknowledged' && l.sounding && ruleFor(p, l.alarm.type, l.alarm.severity).soundUntilCleared;
  const events = l.phase === 'running' ? [ev('hub.escalation_stopped', l.alarm, { reason, by, rung: l.rung, still_sounding: keepSounding })] : [];
  if (keepSounding) return { state: replace(s, alarmId, { ...l, phase: 'done', inflight: false }), events, actions: [] };
  const actions: Action[] = l.sounding ? [{ kind: 'silence', alarm: l.alarm }] : [];
  return { state: replace(s, alarmId, null), events, actions };
}

/** Starts watched ladders whose trigger holds and runs the rungs that are due. */
export function tick(p: EscalationPolicy, s: LadderState, world: World, now: number): Step {
  const events: EventDraft[] = [];
  const actions: Action[] = [];
  let state = s;
  for (const l of s.ladders) {
    if (l.phase !== 'watching') continue;
    const reason = triggerOf(p, l.alarm, world, now);
    if (!reason) continue;
    const r = start(p, state, l, reason, now);
    state = r.state;
    events.push(...r.events);
    actions.push(...r.actions);
  }
  const r = runDue(p, state, now);
  return { state: r.state, events: [...events, ...r.events], actions: [...actions, ...r.actions] };
}

function triggerOf(p: EscalationPolicy, a: LadderAlarm, w: World, now: number): StartReason | null {
  const rule = ruleFor(p, a.type, a.severity);
  if (w.uplinkDownSinceTs !== null && now - Math.max(w.uplinkDownSinceTs, a.raisedTs) >= p.uplink_down_s * 1000) return 'uplink_down';
  if ((w.cloudConfirmedSeq ?? -1) < a.seq && now - a.raisedTs >= rule.cloudConfirmMs) return 'not_confirmed';
  if (now - a.raisedTs >= rule.ackWithinMs) return 'not_acknowledged';
  return null;
}

/** Runs every running ladder's due rung: intent event + action, or a skip (rate limit), or the end. */
function runDue(p: EscalationPolicy, s: LadderState, now: number): Step {
  const rungs = rungsOf(p);
  const events: EventDraft[] = [];
  const actions: Action[] = [];
  let state = s;
  for (const start of s.ladders) {
    let l = start;
    // A skipped rung moves on at once, so one tick may pass several.
    while (l.phase === 'running' && !l.inflight && l.dueTs <= now) {
      const rung = rungs[l.rung];
      if (!rung) {
        events.push(ev('hub.escalation_stopped', l.alarm, { reason: 'exhausted', by: null, rung: l.rung, still_sounding: l.sounding }));
        l = { ...l, phase: 'done' };
        break;
      }
      if (rung.action !== 'sound') {
        const last = state.lastSent[`${rung.action}:${rung.contact.phone}`];
        if (!l.test && last !== undefined && now - last < p.rate_limit_s * 1000) {
          events.push(ev('hub.escalation_step', l.alarm, { rung: l.rung, attempt: l.attempt, ...rungData(rung), skipped: 'rate_limited', last_sent_ts: last }));
          l = { ...l, rung: l.rung + 1, attempt: 1, dueTs: now };
          continue;
        }
      }
      events.push(ev('hub.escalation_step', l.alarm, { rung: l.rung, attempt: l.attempt, ...rungData(rung), resumed: l.resumed === true }));
      const base = { alarm: l.alarm, rung: l.rung, attempt: l.attempt, test: l.test };
      actions.push(rung.action === 'sound' ? { kind: 'sound', ...base } : { kind: rung.action, ...base, contact: rung.contact });
      l = { ...l, inflight: true, resumed: false, sounding: l.sounding || rung.action === 'sound' };
    }
    if (l !== start) state = replace(state, l.alarm.id, l);
  }
  return { state, events, actions };
}

const DONE_TYPE = { sound: 'hub.escalation_sounded', sms: ['hub.escalation_sms_sent', 'hub.escalation_sms_failed'], call: ['hub.escalation_call_made', 'hub.escalation_call_failed'] } as const;

/**
 * The result of an action. Its event is committed whatever became of the ladder meanwhile (an SMS
 * sent while the alarm was acknowledged was still sent: the cloud must know); the ladder moves on
 * only if it is still at that rung and attempt.
 */
export function result(p: EscalationPolicy, s: LadderState, a: Exclude<Action, { kind: 'silence' }>, o: Outcome, now: number): Step {
  const base = { rung: a.rung, attempt: a.attempt, test: a.test };
  let e: EventDraft;
  if (a.kind === 'sound') {
    e = ev(DONE_TYPE.sound, a.alarm, { ...base, ok: o.ok, ...(o.ok ? { siren: o.siren ?? 'none', prompt: o.prompt ?? 'none', ...(o.detail ? { detail: o.detail } : {}) } : { code: o.code, detail: o.detail }) });
  } else {
    const [okType, failType] = DONE_TYPE[a.kind];
    // A call called off (its ladder stopped) is over: never "will retry".
    const retrying = !o.ok && o.code !== 'cancelled' && a.attempt <= p.retries;
    e = o.ok
      ? ev(okType, a.alarm, { ...base, ...contactData(a.contact), ...(a.kind === 'sms' ? { parts: o.parts ?? 1 } : { answered: o.answered ?? false, prompt_played: o.promptPlayed ?? false }) })
      : ev(failType, a.alarm, { ...base, ...contactData(a.contact), code: o.code, detail: o.detail, final: !retrying });
  }
  let state = s;
  if (o.ok && a.kind !== 'sound' && !a.test) state = { ...state, lastSent: { ...state.lastSent, [`${a.kind}:${a.contact.phone}`]: now } };
  const l = state.ladders.find((x) => x.alarm.id === a.alarm.id);
  if (!l || l.phase !== 'running' || !l.inflight || l.rung !== a.rung || l.attempt !== a.attempt) return { state, events: [e], actions: [] };
  const retry = !o.ok && a.kind !== 'sound' && a.attempt <= p.retries;
  const next: Ladder = retry
    ? { ...l, inflight: false, attempt: l.attempt + 1, dueTs: now + p.retry_s * 1000 }
    // A rung that failed for good passes on at once: the next contact should not wait for it.
    : { ...l, inflight: false, rung: l.rung + 1, attempt: 1, dueTs: o.ok && !l.test ? now + p.step_interval_s * 1000 : now };
  const r = runDue(p, replace(state, l.alarm.id, next), now);
  return { state: r.state, events: [e, ...r.events], actions: r.actions };
}

/**
 * After a restart: a rung whose intent was recorded but not its result runs again (at least once),
 * marked `resumed`; the siren that sounded is started again by its rung only if that rung was in flight.
 */
export function recover(s: LadderState): LadderState {
  return { ...s, ladders: s.ladders.map((l) => (l.inflight ? { ...l, inflight: false, resumed: true } : l)) };
}


/**
 * The wall clock stepped by `stepMs` (NTP after a boot with a wrong clock; src/daemon/wall-clock-watch.ts):
 * every instant the ladder holds moves with it, as the detectors' timers do (Detector.rebase), so the
 * waits keep their length. Without it a step back of an hour would hold the next SMS for an hour, and
 * a step forward would fire every pending rung at once.
 */
export function rebase(s: LadderState, stepMs: number): LadderState {
  if (stepMs === 0) return s;
  return {
    ladders: s.ladders.map((l) => ({ ...l, dueTs: l.dueTs + stepMs, alarm: { ...l.alarm, raisedTs: l.alarm.raisedTs + stepMs } })),
    lastSent: Object.fromEntries(Object.entries(s.lastSent).map(([k, ts]) => [k, ts + stepMs])),
  };
}
