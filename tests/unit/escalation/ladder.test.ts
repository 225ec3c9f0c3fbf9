/** The escalation ladder as a pure state machine, driven by an injected clock (no timers, no I/O). */
import { describe, expect, it } from 'vitest';
import { emptyLadderState, raised, rebase, recover, result, stop, tick, type Action, type LadderAlarm, type LadderState, type Step, type World } from '../../../src/escalation/ladder.js';
import { EscalationSchema } from '../../../src/escalation/policy-schema.js';

const policy = EscalationSchema.parse({
  cloud_confirm_s: 10, ack_within_s: 30, uplink_down_s: 5, step_interval_s: 20, retries: 1, retry_s: 5, rate_limit_s: 600,
  contacts: [
    { name: 'Daughter', phone: '+8613800000001', call: false },
    { name: 'Neighbour', phone: '+8613800000002', sms: false },
  ],
});
const T0 = 1_800_000_000_000;
const apnea: LadderAlarm = { id: 'a1', seq: 7, type: 'alarm.apnea', severity: 'critical', device: 'radar', raisedTs: T0 };
const fire: LadderAlarm = { id: 'f1', seq: 9, type: 'alarm.smoke', severity: 'critical', device: 'smoke', raisedTs: T0 };
const up: World = { uplinkDownSinceTs: null, cloudConfirmedSeq: 100 };
const types = (s: Step) => s.events.map((e) => `${e.type}${e.data.action ? `:${String(e.data.action)}` : ''}`);
const only = <K extends Action['kind']>(s: Step, kind: K) => {
  expect(s.actions.map((a) => a.kind)).toEqual([kind]);
  return s.actions[0] as Extract<Action, { kind: K }>;
};

describe('escalation ladder', () => {
  it('watches a critical alarm while the cloud confirms it, and starts when nobody acknowledges it in time', () => {
    let s: LadderState = raised(policy, emptyLadderState(), apnea, T0).state;
    expect(s.ladders[0]!.phase).toBe('watching');
    expect(tick(policy, s, up, T0 + 29_000).events).toEqual([]);
    const t = tick(policy, s, up, T0 + 30_000);
    expect(types(t)).toEqual(['hub.escalation_started', 'hub.escalation_step:sound']);
    expect(t.events[0]!.data).toMatchObject({ alarm_id: 'a1', reason: 'not_acknowledged' });
    s = t.state;
    const sound = only(t, 'sound');
    const sounded = result(policy, s, sound, { ok: true, siren: 'ok', prompt: 'ok' }, T0 + 31_000);
    expect(types(sounded)).toEqual(['hub.escalation_sounded']);
    // SMS to contact 1 after the step interval, then the call to contact 2 (contact 1 is sms-only).
    expect(tick(policy, sounded.state, up, T0 + 50_000).actions).toEqual([]);
    const sms = tick(policy, sounded.state, up, T0 + 51_000);
    expect(only(sms, 'sms').contact.name).toBe('Daughter');
    const sent = result(policy, sms.state, only(sms, 'sms'), { ok: true, parts: 2 }, T0 + 52_000);
    expect(sent.events[0]).toMatchObject({ type: 'hub.escalation_sms_sent', data: { contact: 'Daughter', phone: '+8613800000001', parts: 2 } });
    const call = tick(policy, sent.state, up, T0 + 72_000);
    expect(only(call, 'call').contact.name).toBe('Neighbour');
    const made = result(policy, call.state, only(call, 'call'), { ok: true, answered: false, promptPlayed: false }, T0 + 80_000);
    const end = tick(policy, made.state, up, T0 + 100_000);
    expect(end.events.map((e) => [e.type, e.data.reason])).toEqual([['hub.escalation_stopped', 'exhausted']]);
    // Done: the ladder stays (its siren sounds) until the alarm clears, which silences it.
    const cleared = stop(policy, end.state, 'a1', 'cleared', null);
    expect(cleared.events).toEqual([]);
    expect(cleared.actions.map((a) => a.kind)).toEqual(['silence']);
    expect(cleared.state.ladders).toEqual([]);
  });

  it('starts when the uplink is down, or the cloud did not confirm, whichever first', () => {
    const s = raised(policy, emptyLadderState(), apnea, T0).state;
    expect(tick(policy, s, { uplinkDownSinceTs: T0 - 60_000, cloudConfirmedSeq: 100 }, T0 + 5_000).events[0]!.data.reason).toBe('uplink_down');
    expect(tick(policy, s, { uplinkDownSinceTs: null, cloudConfirmedSeq: 6 }, T0 + 10_000).events[0]!.data.reason).toBe('not_confirmed');
    expect(tick(policy, s, { uplinkDownSinceTs: null, cloudConfirmedSeq: 7 }, T0 + 10_000).events).toEqual([]);
  });

  it('sounds a fire at once, and an acknowledgement stops the contacts but not the siren', () => {
    const r = raised(policy, emptyLadderState(), fire, T0);
    expect(types(r)).toEqual(['hub.escalation_started', 'hub.escalation_step:sound']);
    expect(r.events[0]!.data.reason).toBe('immediate');
    const acked = stop(policy, r.state, 'f1', 'acknowledged', 'button');
    expect(acked.events[0]).toMatchObject({ type: 'hub.escalation_stopped', data: { reason: 'acknowledged', by: 'button', still_sounding: true } });
    expect(acked.actions).toEqual([]);
    expect(stop(policy, acked.state, 'f1', 'cleared', null).actions.map((a) => a.kind)).toEqual(['silence']);
  });

  it('an acknowledged apnea silences the home and ends the ladder', () => {
    const r = raised(policy, emptyLadderState(), apnea, T0);
    const t = tick(policy, r.state, up, T0 + 30_000);
    const acked = stop(policy, t.state, 'a1', 'acknowledged', 'sms:Daughter');
    expect(acked.actions.map((a) => a.kind)).toEqual(['silence']);
    expect(acked.state.ladders).toEqual([]);
  });

  it('retries a failed SMS, then moves on; the failure says whether it was final', () => {
    const p = EscalationSchema.parse({ ...policy, step_interval_s: 0 });
    let s = raised(p, emptyLadderState(), { ...fire, type: 'alarm.sos' }, T0);
    s = result(p, s.state, only(s, 'sound'), { ok: true }, T0);
    const sms = only(s, 'sms');
    const f1 = result(p, s.state, sms, { ok: false, code: 'no_network', detail: 'CREG 0,2' }, T0 + 1000);
    expect(f1.events[0]).toMatchObject({ type: 'hub.escalation_sms_failed', data: { attempt: 1, code: 'no_network', final: false } });
    expect(f1.actions).toEqual([]);
    const retry = tick(p, f1.state, up, T0 + 6000);
    expect(only(retry, 'sms').attempt).toBe(2);
    const f2 = result(p, retry.state, only(retry, 'sms'), { ok: false, code: 'no_network', detail: 'CREG 0,2' }, T0 + 7000);
    expect(f2.events[0]!.data.final).toBe(true);
    expect(only(f2, 'call').contact.name).toBe('Neighbour'); // next rung at once
  });

  it('never sends a second SMS to the same number within the rate limit, across alarms', () => {
    const p = EscalationSchema.parse({ ...policy, step_interval_s: 0 });
    let s = raised(p, emptyLadderState(), fire, T0);
    s = result(p, s.state, only(s, 'sound'), { ok: true }, T0);
    s = result(p, s.state, only(s, 'sms'), { ok: true }, T0);
    const second = raised(p, s.state, { ...fire, id: 'f2', seq: 12 }, T0 + 60_000);
    const afterSound = result(p, second.state, second.actions.find((a) => a.kind === 'sound') as Extract<Action, { kind: 'sound' }>, { ok: true }, T0 + 60_000);
    expect(afterSound.events.find((e) => e.type === 'hub.escalation_step')?.data).toMatchObject({ action: 'sms', skipped: 'rate_limited', last_sent_ts: T0 });
  });

  it('after a crash, resumes at the rung in flight (again, marked resumed) and never repeats a rung done', () => {
    const p = EscalationSchema.parse({ ...policy, step_interval_s: 0 });
    let s = raised(p, emptyLadderState(), fire, T0);
    s = result(p, s.state, only(s, 'sound'), { ok: true }, T0);
    s = result(p, s.state, only(s, 'sms'), { ok: true }, T0); // SMS done, call in flight
    const saved = JSON.parse(JSON.stringify(s.state)) as LadderState;
    const after = tick(p, recover(saved), up, T0 + 5000);
    expect(only(after, 'call').contact.name).toBe('Neighbour');
    expect(after.events.map((e) => [e.type, e.data.action, e.data.resumed])).toEqual([['hub.escalation_step', 'call', true]]);
  });

  it('ignores warnings and alarms a per-type rule turns off', () => {
    expect(raised(policy, emptyLadderState(), { ...apnea, severity: 'warning' }, T0).state.ladders).toEqual([]);
    const off = EscalationSchema.parse({ ...policy, per_type: { 'alarm.apnea': { enabled: false } } });
    expect(raised(off, emptyLadderState(), apnea, T0).state.ladders).toEqual([]);
  });

  it('a wall-clock step moves every held instant: after a step back of an hour the next SMS still comes a step interval later', () => {
    const started = tick(policy, raised(policy, emptyLadderState(), apnea, T0).state, up, T0 + 30_000);
    const sounded = result(policy, started.state, only(started, 'sound'), { ok: true, siren: 'ok', prompt: 'ok' }, T0 + 31_000);
    const HOUR = 3_600_000;
    // Unmoved, the SMS due at T0 + 51 s would wait an hour on the stepped-back clock.
    expect(tick(policy, sounded.state, up, T0 + 51_000 - HOUR).actions).toEqual([]);
    const moved = rebase(sounded.state, -HOUR);
    expect(tick(policy, moved, up, T0 + 50_000 - HOUR).actions).toEqual([]);
    expect(only(tick(policy, moved, up, T0 + 51_000 - HOUR), 'sms').contact.name).toBe('Daughter');
    expect(moved.ladders[0]!.alarm.raisedTs).toBe(T0 - HOUR);
    expect(rebase({ ladders: [], lastSent: { 'sms:+1': T0 } }, HOUR).lastSent).toEqual({ 'sms:+1': T0 + HOUR });
  });
});
