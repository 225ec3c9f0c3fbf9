import type { Logger } from 'pino';
import type { EventDraft, StoredEvent } from '../core/event.js';
import type { ContactChannel, InboundMessage } from '../escalation/contact-channel.js';
import { isEscalationEvent, raised, rebase, recover, result, stop, tick, type Action, type LadderAlarm, type LadderState, type Outcome, type Step, type World } from '../escalation/ladder.js';
import { alarmSms, testSms } from '../escalation/messages.js';
import { rungsOf, type EscalationPolicy } from '../escalation/policy.js';
import type { Sounders } from '../escalation/sounders.js';
import type { EscalationStore } from '../store/escalation-store.js';
import type { OpenAlarm } from '../store/alarm-store.js';

/**
 * Runs the escalation ladder (src/escalation/ladder.ts) in the daemon: feeds it the open alarms
 * (src/alarms/), the uplink's state and the cloud's acks, commits the events it returns through the
 * ingest path (hub.escalation_*, in order, gapless seq like every event) and runs its actions: the
 * siren and the spoken prompt (sounders.ts), SMS and calls through the ContactChannel, one at a time.
 *
 * The state is saved IN THE TRANSACTION of the last event of each change (`committed`, called by the
 * ingest gate): after kill -9 the state on disk and the events the cloud will get say the same thing.
 * A change without an event (a ladder starts watching) is saved on its own.
 */
export interface EscalationRunner {
  start(): void;
  stop(): void;
  /** Inside the transaction that commits any event (the ingest gate): saves the staged state with ours. */
  committed(e: StoredEvent): void;
  /** Looks at alarms, uplink and due rungs; the daemon calls it every detector tick and after an alarm commit. */
  tick(): void;
  /** `anjuctl escalation test`: a ladder with test texts, started at once. Returns its id. */
  test(by: string): string;
  /** The wall clock stepped by stepMs (the ingest's wall-clock watch): every held instant moves with it. */
  rebase(stepMs: number): void;
  /** The ladders now (get-status). */
  state(): LadderState;
  /** How many rungs a ladder has (the home, SMS, calls). */
  rungs(): number;
}

export interface EscalationRunnerDeps {
  policy: EscalationPolicy;
  store: EscalationStore;
  /**
   * The modem as it is now (a transport that starts in the background), or null when none is
   * configured or not yet started: SMS and call rungs then fail with `modem_unavailable`.
   */
  channel: () => ContactChannel | null;
  sounders: Sounders;
  now: () => number;
  /** Commits a hub event through ingest (it calls `committed` inside the transaction). */
  raise: (draft: EventDraft) => void;
  /** A store write through the storage guard (throws on a full disk: the next tick tries again). */
  write: <T>(where: string, fn: () => T) => T;
  openAlarms: () => readonly OpenAlarm[];
  /** Acknowledges an open alarm (ack-alarm: records it, raises hub.alarm_acknowledged). */
  ack: (alarmId: string, by: string) => void;
  uplinkConnected: () => boolean;
  /** Highest event seq the cloud acknowledged; null when none or when the cloud does not ack (puback delivery). */
  cloudAckedSeq: () => number | null;
  /** How the home is named in an SMS (hub.name, else the hub id). */
  home: string;
  /** Local time "HH:mm" of a wall-clock instant (the home's time zone). */
  localTime: (ts: number) => string;
  log: Logger;
}

const TEST_PREFIX = 'test-';

export function createEscalationRunner(d: EscalationRunnerDeps): EscalationRunner {
  const { policy: p, log } = d;
  let state: LadderState = recover(d.store.load());
  let staged: LadderState | null = null;
  let downSince: number | null = null;
  // Two queues: the modem does one thing at a time, and so does the siren; a ringing call must not
  // hold back silencing the siren (or sounding it for the next alarm).
  const queues = { modem: Promise.resolve(), home: Promise.resolve() };
  let stopped = false;
  let unsubscribe: (() => void) | null = null;
  let testCount = 0;
  /** The call each ladder has in flight (or waiting for the line): called off when its ladder stops. */
  const calls = new Map<string, AbortController>();

  /** Commits the events of one change, the last one with the new state; then runs its actions. */
  function apply(step: Step): void {
    const changed = step.state !== state;
    state = step.state;
    const events = step.events;
    if (events.length === 0) {
      if (changed) save();
    } else {
      events.slice(0, -1).forEach((e) => d.raise(e));
      staged = state;
      d.raise(events.at(-1)!);
      // Held (the store could not commit: a full disk): saved on its own, or at the next change.
      if (staged) save();
    }
    for (const a of step.actions) run(a);
  }

  function save(): void {
    try {
      d.write('escalation', () => d.store.save(state, d.now()));
      staged = null;
    } catch (err) {
      log.error({ err }, 'cannot save the escalation state; will retry with the next change');
    }
  }

  /** Actions run one after another per queue (modem, home); a result feeds the ladder back. */
  function run(a: Action): void {
    const q = a.kind === 'sms' || a.kind === 'call' ? 'modem' : 'home';
    queues[q] = queues[q].then(async () => {
      if (a.kind === 'silence') {
        await d.sounders.silence(a.alarm).catch((err: unknown) => log.error({ err, alarm: a.alarm.id }, 'cannot silence the siren'));
        return;
      }
      let o: Outcome;
      try {
        o = await perform(a);
      } catch (err) {
        o = { ok: false, code: 'failed', detail: (err as Error).message };
      }
      if (stopped) return; // the rung stays in flight: a restart runs it again (at least once)
      log.info({ alarm: a.alarm.id, action: a.kind, rung: a.rung, attempt: a.attempt, ok: o.ok, ...(o.ok ? {} : { code: o.code, detail: o.detail }) }, `escalation ${a.kind} ${o.ok ? 'done' : 'failed'}`);
      apply(result(p, state, a, o, d.now()));
    });
  }

  async function perform(a: Exclude<Action, { kind: 'silence' }>): Promise<Outcome> {
    if (a.kind === 'sound') return d.sounders.sound(a.alarm, a.test);
    // Queued behind another alarm's call, this step may come up after its own ladder stopped: nobody is
    // texted or rung for an alarm that is over.
    const l = state.ladders.find((x) => x.alarm.id === a.alarm.id);
    if (!l || l.phase !== 'running') return { ok: false, code: 'cancelled', detail: 'called off before it ran (the alarm was cleared or acknowledged)' };
    const ch = d.channel();
    if (!ch) return { ok: false, code: 'modem_unavailable', detail: 'no modem configured (escalation needs a modem: section for SMS and calls)' };
    if (a.kind === 'sms') {
      const text = a.test ? testSms(d.home) : alarmSms(a.alarm.type, d.home, d.localTime(a.alarm.raisedTs));
      const r = await ch.sendSms(a.contact.phone, text);
      return r.ok ? { ok: true, parts: r.parts } : { ok: false, code: r.code, detail: r.detail };
    }
    const prompt = d.sounders.callPrompt(a.alarm, a.test);
    const calledOff = new AbortController();
    calls.set(a.alarm.id, calledOff);
    try {
      const r = await ch.call(a.contact.phone, { ringSeconds: p.call_ring_s, signal: calledOff.signal, ...(prompt ? { promptFile: prompt } : {}) });
      return r.ok ? { ok: true, answered: r.answered, promptPlayed: r.promptPlayed } : { ok: false, code: r.code, detail: r.detail };
    } finally {
      if (calls.get(a.alarm.id) === calledOff) calls.delete(a.alarm.id);
    }
  }

  /** Hears the contacts' replies once the channel is there (the modem transport loads in the background). */
  function listen(): void {
    if (unsubscribe || stopped) return;
    unsubscribe = d.channel()?.onInbound((m) => {
      if (stopped) return;
      try { onInbound(m); } catch (err) { log.error({ err }, 'escalation: inbound handling failed'); }
    }) ?? null;
  }

  /** A reply "1" (or another reply word) or a call from a contact takes every open ladder. */
  function onInbound(m: InboundMessage): void {
    if (m.kind === 'delivery_report') return;
    const contact = p.contacts.find((c) => c.phone === m.from);
    if (!contact) {
      log.warn({ from: m.from, kind: m.kind }, 'escalation: a message or call from a number that is not a contact: ignored');
      return;
    }
    if (m.kind === 'sms' && !p.reply_words.some((w) => w.toLowerCase() === m.text.trim().toLowerCase())) {
      log.info({ from: contact.name }, 'escalation: an SMS from a contact that is not a reply word: ignored');
      return;
    }
    const by = `${m.kind === 'sms' ? 'sms' : 'call'}:${contact.name}`;
    for (const l of state.ladders) {
      if (l.phase !== 'running') continue;
      if (l.test) stopLadder(l.alarm.id, 'acknowledged', by);
      else d.ack(l.alarm.id, by); // hub.alarm_acknowledged; the tick below sees it and stops the ladder
    }
    reconcile();
  }

  /** Stops a ladder, and hangs up the call it has ringing: a relative is not rung for an alarm that is over. */
  function stopLadder(alarmId: string, why: 'cleared' | 'acknowledged', by: string | null): void {
    apply(stop(p, state, alarmId, why, by));
    calls.get(alarmId)?.abort();
  }

  /** Open alarms -> ladders: new ones watched, cleared ones stopped, acknowledged ones stopped. */
  function reconcile(): void {
    const now = d.now();
    const open = d.openAlarms();
    const byId = new Map(open.map((a) => [a.id, a]));
    for (const l of state.ladders) {
      if (l.test) {
        if (l.phase === 'done') stopLadder(l.alarm.id, 'cleared', null);
        continue;
      }
      const a = byId.get(l.alarm.id);
      if (!a) stopLadder(l.alarm.id, 'cleared', null);
      else if (a.ackedTs !== null && l.phase !== 'done') stopLadder(l.alarm.id, 'acknowledged', a.ackedBy);
    }
    for (const a of open) {
      if (a.ackedTs !== null || state.ladders.some((l) => l.alarm.id === a.id)) continue;
      const alarm: LadderAlarm = { id: a.id, seq: a.seq, type: a.type, severity: a.severity, device: a.device, raisedTs: a.raisedTs };
      apply(raised(p, state, alarm, now));
    }
    listen();
    if (d.uplinkConnected()) downSince = null;
    else downSince ??= now;
    const world: World = { uplinkDownSinceTs: downSince, cloudConfirmedSeq: d.cloudAckedSeq() };
    apply(tick(p, state, world, now));
  }

  return {
    start() {
      if (state.ladders.length > 0) log.warn({ ladders: state.ladders.map((l) => ({ alarm: l.alarm.id, type: l.alarm.type, phase: l.phase, rung: l.rung })) }, 'escalation: resuming the ladders of before the restart');
      listen();
      downSince = d.now(); // not connected yet: the down time counts from the start
    },
    rebase(stepMs) {
      if (stepMs === 0) return;
      state = rebase(state, stepMs);
      if (downSince !== null) downSince += stepMs;
      save();
    },
    stop() {
      stopped = true;
      unsubscribe?.();
    },
    committed(e) {
      if (staged && isEscalationEvent(e.type)) {
        d.store.save(staged, d.now()); // in the event's transaction: a failure rolls both back
        staged = null;
      }
    },
    tick() {
      if (stopped) return;
      reconcile();
    },
    test(by) {
      const now = d.now();
      const id = `${TEST_PREFIX}${now}-${++testCount}`;
      const alarm: LadderAlarm = { id, seq: 0, type: 'escalation-test', severity: 'info', device: null, raisedTs: now };
      log.info({ by, id }, 'escalation test walk started');
      apply(raised(p, state, alarm, now, true));
      return id;
    },
    state: () => state,
    rungs: () => rungsOf(p).length,
  };
}
