/**
 * `anjuctl walktest`: the commissioning flow. For each configured device it tells the technician
 * what to do (walktest-kinds.ts), waits for the reading that proves it, and for a test that raises an
 * alarm confirms the alarm reached the cloud: its seq is covered by the cloud ack
 * (`uplink.lastCloudAck.seq >= seq`), or in `puback` delivery mode the broker took it. Ends with a
 * commissioning report (table, or JSON with --json / --report FILE). At the end a hub.test event
 * (local-only `test-event`) measures the uplink round trip the same way, in every home.
 *
 * Answers come from stdin one line each ("" = Enter: go, "s" = skip this device, "q" = stop; after a
 * siren sounded: "y" heard, "n" not heard, "r" sound it again), so a
 * technician at a terminal and a script piping lines drive it the same way; at end of input it
 * proceeds without asking. Prompts go to stdout, or to stderr with --json (stdout is then the report).
 * Exit codes: 0 every selected device passed and the cloud confirmed the hub.test event, 1 at least
 * one did not (failed, skipped, not tested) or the cloud did not confirm,
 * 2 usage (unknown --device), 3 anjud not running, 4 no permission.
 */
import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { deliveryMode, measureUplink, waitForCloud, type Delivery, type TestWait, type UplinkTest } from '../walktest-cloud.js';
import { userInfo } from 'node:os';
import type { DaemonStatus } from '../../control/status.js';
import { clockSourceText, clockState, type ClockState } from '../clock-state.js';
import { request, subscribe } from '../client.js';
import { adoptZone, context, EXIT, localTime, paint, run, table, type Ctx } from '../context.js';
import { t, typeName, type MessageKey } from '../i18n.js';
import { createLineInput, type LineInput } from '../line-input.js';
import { startProgress } from '../progress.js';
import { evidence, evidenceText, KINDS, kindOf, newProofState, observe, type DeviceKind, type ProofState } from '../walktest-kinds.js';
import { failed } from './status.js';
import { hintOf, renderHint, TYPES_SEP, type Hint } from '../walktest-hints.js';
import { walkEscalation } from './escalation.js';

type Result = 'pass' | 'fail' | 'skipped' | 'not-tested';
export interface WalktestDevice {
  id: string; model: string; room: string; kind: DeviceKind; result: Result;
  /** From "waiting" to the proving reading. */
  proofMs: number | null;
  evidence: string;
  alarm: { type: string; id: string; seq: number; preexisting: boolean } | null;
  cloud: { confirmed: boolean; via: Delivery | null; roundTripMs: number | null } | null;
  /** English; the table shows it in the technician's language from hintCode and hintVars. */
  hint: string | null;
  hintCode: string | null;
  hintVars: Record<string, string | number> | null;
}

export interface WalktestReport {
  ok: boolean;
  hub: string;
  version: string;
  startedTs: number;
  finishedTs: number;
  devices: WalktestDevice[];
  /**
   * roundTripMs: of the hub.test event when it was sent (every walk test, unless --no-uplink-test),
   * else the largest test alarm round trip. test: that event (seq, confirmation, round trip).
   */
  uplink: {
    connected: boolean; delivery: Delivery | null; roundTripMs: number | null; lastCloudAck: { seq: number; ts: number } | null;
    test: UplinkTest | null;
  };
  /**
   * The escalation ladder walked for real (issue 15: every contact gets "测试 / test", the siren
   * chirps, the prompt plays) when the hub has a contact channel (a modem); null when it has none or
   * --no-escalation-test. `error`: the daemon refused to start the walk.
   */
  escalation: { ok: boolean; steps: number; stepsOk: number; error: string | null } | null;
  clock: { state: ClockState; source: string };
}

const POLL_MS = 100;
/** After the proving reading, the detector's alarm should follow within a tick of the daemon (5 s). */
const ALARM_GRACE_MS = 10_000;

export async function walktestCommand(o: WalktestOpts, cmd: Command): Promise<void> {
  const ctx = await context(cmd);
  await run(ctx, () => walktest(ctx, o));
}

interface WalktestOpts { device: string[]; timeoutS: number; cloudTimeoutS: number; ack: boolean; uplinkTest: boolean; escalationTest: boolean; report?: string }

async function walktest(ctx: Ctx, o: WalktestOpts): Promise<number> {
  const L = (k: MessageKey, v?: Record<string, string | number>) => t(ctx.lang, k, v);
  const say = (s: string) => (ctx.json ? ctx.err(s) : ctx.out(s));
  if (!(o.timeoutS > 0) || !(o.cloudTimeoutS > 0)) {
    ctx.err(L('badNumber', { option: '--timeout-s / --cloud-timeout-s' }));
    return EXIT.USAGE;
  }
  const getStatus = async (): Promise<DaemonStatus | null> => {
    const r = await request(ctx.socket, 'get-status');
    return r.ok ? r.data : null;
  };
  const first = await request(ctx.socket, 'get-status');
  if (!first.ok) return failed(ctx, first);
  const status0 = first.data;
  adoptZone(ctx, status0.timezone);
  const known = status0.devices.map((d) => d.id);
  const unknown = o.device.filter((id) => !known.includes(id));
  if (unknown.length > 0) {
    ctx.err(L('unknownDevice', { id: unknown.join(', '), ids: known.join(', ') || '-' }));
    return EXIT.USAGE;
  }
  const selected = status0.devices.filter((d) => o.device.length === 0 || o.device.includes(d.id));
  const delivery = await deliveryMode(ctx);
  const startedTs = Date.now();
  if (!status0.uplink?.connected) say(paint(ctx, 33, L('wtUplinkDown')));

  // One subscription for the whole walk: readings and events of every device, routed to the step.
  let current: { id: string; proof: ProofState; alarmTypes: readonly string[]; alarm: { type: string; id: string; seq: number; ts: number } | null } | null = null;
  let testWait: TestWait | null = null;
  const sub = await subscribe(ctx.socket, { events: true, readings: true }, (stream, d) => {
    if (stream === 'event' && d.type === 'hub.test' && testWait && d.data.nonce === testWait.nonce) {
      testWait.seen = { seq: d.seq, ts: d.ts };
    }
    const c = current;
    if (!c || d.device !== c.id) return;
    if (stream === 'reading') observe(c.proof, d.metric, d.value);
    else if (d.state === 'raised' && c.alarmTypes.includes(d.type) && c.alarm === null) {
      c.alarm = { type: d.type, id: d.id, seq: d.seq, ts: d.ts };
    }
  });
  let daemonGone = false;
  void sub.closed.then(() => { daemonGone = true; });
  const input = createLineInput();
  const results: WalktestDevice[] = [];
  const by = `walktest:${process.env.SUDO_USER ?? safeUser()}`;
  let uplinkTest: WalktestReport['uplink']['test'] = null;
  let quit = false;
  try {
    for (const [i, dev] of selected.entries()) {
      const kind = kindOf(dev);
      const spec = KINDS[kind];
      const base = { id: dev.id, model: dev.model, room: dev.room, kind, proofMs: null, evidence: '', alarm: null, cloud: null };
      if (quit || daemonGone) {
        results.push({ ...base, result: 'not-tested', ...hintOf({ key: 'wtHintNotTested', vars: {} }) });
        continue;
      }
      say('');
      say(paint(ctx, 1, L('wtHeader', { i: i + 1, n: selected.length, id: dev.id, model: dev.model, room: dev.room })));
      say(`  ${L(spec.instruction, { s: SIREN_TEST_S })}`);
      say(`  ${L('wtPrompt')}`);
      const answer = await input.next();
      if (answer?.toLowerCase() === 'q') quit = true;
      if (answer?.toLowerCase() === 's' || quit) {
        const hint: Hint = quit ? { key: 'wtHintNotTested', vars: {} } : { key: 'wtHintSkipped', vars: {} };
        results.push({ ...base, result: quit ? 'not-tested' : 'skipped', ...hintOf(hint) });
        say(`  ${paint(ctx, 33, L(quit ? 'wtResNotTested' : 'wtResSkipped'))}`);
        continue;
      }
      if (spec.sounded) {
        results.push({ ...base, ...(await sirenStep(ctx, dev.id, input, say)) });
        continue;
      }
      const open = status0.alarms.find((a) => a.device === dev.id && spec.alarms.includes(a.type));
      const step = { id: dev.id, proof: newProofState(), alarmTypes: spec.alarms, alarm: null as { type: string; id: string; seq: number; ts: number } | null };
      current = step;
      say(`  ${L('wtWaiting', { s: o.timeoutS, what: L(spec.awaited) })}`);
      const t0 = Date.now();
      const deadline = t0 + o.timeoutS * 1000;
      let proofAt: number | null = null;
      let skipped = false;
      const progress = startProgress(ctx.json ? process.stderr : process.stdout, deadline, (left) => `  ${L('wtCountdown', { left, what: L(spec.awaited) })}`, t0);
      // Wait for the proving reading (or, for hazard detectors, the alarm it raises), then the alarm.
      for (;;) {
        progress.tick();
        const line = input.poll();
        if (typeof line === 'string' && line.toLowerCase() === 's') { skipped = true; break; }
        const now = Date.now();
        if (proofAt === null && (spec.proven(step.proof) || step.alarm !== null)) proofAt = now;
        if (proofAt !== null && (spec.alarms.length === 0 || step.alarm !== null || open)) break;
        if (proofAt === null && now >= deadline) break;
        if (proofAt !== null && now >= Math.max(deadline, proofAt + ALARM_GRACE_MS)) break;
        if (daemonGone) break;
        await sleep(POLL_MS);
      }
      progress.done();
      current = null;
      const ev = evidence(step.proof);
      if (skipped) {
        results.push({ ...base, evidence: ev, result: 'skipped', ...hintOf({ key: 'wtHintSkipped', vars: {} }) });
        say(`  ${paint(ctx, 33, L('wtResSkipped'))}`);
        continue;
      }
      if (proofAt === null) {
        const hint = await failureHint(dev.id, step.proof, spec.awaited, getStatus);
        results.push({ ...base, evidence: ev, result: 'fail', ...hintOf(hint) });
        say(`  ${paint(ctx, 31, L('wtFailLine', { hint: renderHint(ctx.lang, hint.key, hint.vars) }))}`);
        continue;
      }
      const proofMs = proofAt - t0;
      if (spec.alarms.length === 0) {
        results.push({ ...base, evidence: ev, proofMs, result: 'pass', hint: null, hintCode: null, hintVars: null });
        say(`  ${paint(ctx, 32, L('wtPass', { s: secs(proofMs), evidence: evidenceText(ctx.lang, step.proof) || '-' }))}`);
        continue;
      }
      const alarm = step.alarm ? { ...step.alarm, preexisting: false } : open ? { type: open.type, id: open.id, seq: open.seq, ts: open.raisedTs, preexisting: true } : null;
      if (!alarm) {
        const hint: Hint = { key: 'wtHintNoAlarm', vars: { types: spec.alarms.join(TYPES_SEP) } };
        results.push({ ...base, evidence: ev, proofMs, result: 'fail', ...hintOf(hint) });
        say(`  ${paint(ctx, 31, L('wtFailLine', { hint: renderHint(ctx.lang, hint.key, hint.vars) }))}`);
        continue;
      }
      say(`  ${L(alarm.preexisting ? 'wtAlarmOpen' : 'wtAlarmSeen', { type: typeName(ctx.lang, alarm.type), seq: alarm.seq })}`);
      const cloud = await waitForCloud(alarm, delivery, o.cloudTimeoutS * 1000, getStatus);
      const rec = { type: alarm.type, id: alarm.id, seq: alarm.seq, preexisting: alarm.preexisting };
      if (!cloud.confirmed) {
        const hint: Hint = { key: 'wtHintNoCloud', vars: { s: o.cloudTimeoutS } };
        results.push({ ...base, evidence: ev, proofMs, alarm: rec, cloud, result: 'fail', ...hintOf(hint) });
        say(`  ${paint(ctx, 31, L('wtFailLine', { hint: renderHint(ctx.lang, hint.key, hint.vars) }))}`);
      } else {
        results.push({ ...base, evidence: ev, proofMs, alarm: rec, cloud, result: 'pass', hint: null, hintCode: null, hintVars: null });
        say(`  ${paint(ctx, 32, L('wtCloudOk', { via: cloud.via ?? '?', s: cloud.roundTripMs === null ? '?' : secs(cloud.roundTripMs) }))}`);
        say(`  ${paint(ctx, 32, L('wtPass', { s: secs(proofMs), evidence: evidenceText(ctx.lang, step.proof) || typeName(ctx.lang, alarm.type) }))}`);
      }
      if (o.ack) {
        // A test alarm left open would remind the call centre every renotify_s; take it on site.
        const r = await request(ctx.socket, 'ack-alarm', { id: alarm.id, by }).catch(() => null);
        if (r?.ok) say(`  ${L('wtAcked', { id: alarm.id, by })}`);
      }
    }
    // The uplink round trip, measured in every home: a hub.test event, like any event, confirmed by
    // the cloud's ack (a home with only radars raises no test alarm to measure it with).
    if (o.uplinkTest && !quit && !daemonGone) {
      say('');
      say(L('wtUplinkTesting'));
      uplinkTest = await measureUplink(ctx.socket, by, delivery, o.cloudTimeoutS * 1000, getStatus, (w) => { testWait = w; }, () => daemonGone);
      say(uplinkTest.confirmed
        ? `  ${paint(ctx, 32, L('wtCloudOk', { via: uplinkTest.via ?? '?', s: uplinkTest.roundTripMs === null ? '?' : secs(uplinkTest.roundTripMs) }))}`
        : `  ${paint(ctx, 31, L('wtFailLine', { hint: L('wtUplinkNotConfirmed', { s: o.cloudTimeoutS }) }))}`);
    }
  } finally {
    current = null;
    input.close();
    sub.stop();
  }
  // Last, the ladder itself, for real, when there is a way to reach people (issue 15 point 5).
  let escalation: WalktestReport['escalation'] = null;
  const channel = o.escalationTest && !quit && !daemonGone ? (await getStatus().catch(() => null))?.escalation?.channel : null;
  if (channel) {
    say('');
    say(L('wtEscalationTesting'));
    const r = await walkEscalation(ctx, by, () => {}, (text) => say(`  ${text}`));
    escalation = 'failure' in r
      ? { ok: false, steps: 0, stepsOk: 0, error: `${r.failure.code ?? '?'}: ${r.failure.message ?? ''}` }
      : { ok: r.ok, steps: r.steps, stepsOk: r.stepsOk, error: null };
  }

  const end = await getStatus().catch(() => null);
  const rtts = results.map((r) => r.cloud?.roundTripMs).filter((x): x is number => typeof x === 'number');
  const report: WalktestReport = {
    ok: results.length > 0 && results.every((r) => r.result === 'pass') && (uplinkTest === null || uplinkTest.confirmed) && (escalation === null || escalation.ok),
    hub: status0.hub,
    version: status0.version,
    startedTs,
    finishedTs: Date.now(),
    devices: results,
    uplink: {
      connected: end?.uplink?.connected ?? false,
      delivery,
      roundTripMs: uplinkTest ? uplinkTest.roundTripMs : rtts.length > 0 ? Math.max(...rtts) : null,
      lastCloudAck: end?.uplink?.lastCloudAck ?? null,
      test: uplinkTest,
    },
    escalation,
    clock: await clockState(),
  };
  if (o.report) {
    writeFileSync(o.report, `${JSON.stringify(report, null, 2)}\n`);
  }
  if (ctx.json) ctx.out(JSON.stringify(report));
  else ctx.out(renderReport(ctx, report));
  if (o.report) say(L('wtReportWritten', { file: o.report }));
  return report.ok ? EXIT.OK : EXIT.FAILED;
}

function renderReport(ctx: Ctx, r: WalktestReport): string {
  const L = (k: MessageKey, v?: Record<string, string | number>) => t(ctx.lang, k, v);
  const res: Record<Result, string> = {
    pass: paint(ctx, 32, L('wtResPass')), fail: paint(ctx, 31, L('wtResFail')),
    skipped: paint(ctx, 33, L('wtResSkipped')), 'not-tested': paint(ctx, 33, L('wtResNotTested')),
  };
  const out = ['', paint(ctx, 1, L('wtReport', { hub: r.hub, when: localTime(ctx, r.finishedTs) }))];
  out.push(table(
    [L('colDevice'), L('colModel'), L('colRoom'), L('colResult'), L('colTime'), L('colCloud'), L('colHint')],
    r.devices.map((d) => [
      d.id, d.model, d.room, res[d.result], d.proofMs === null ? '-' : `${secs(d.proofMs)} s`,
      d.cloud === null ? '-' : d.cloud.confirmed ? `${d.cloud.via ?? ''} ${d.cloud.roundTripMs === null ? '' : `${secs(d.cloud.roundTripMs)} s`}`.trim() : paint(ctx, 31, L('wtCloudNo')),
      d.hintCode ? renderHint(ctx.lang, d.hintCode as MessageKey, d.hintVars ?? {}) : '',
    ]),
  ));
  const test = r.uplink.test;
  const rtt = test && !test.confirmed ? paint(ctx, 31, L('wtCloudNo'))
    : r.uplink.roundTripMs === null ? L('wtNotMeasured')
      : test ? L('wtUplinkRtt', { s: secs(r.uplink.roundTripMs), seq: test.seq ?? '?' }) : L('wtAlarmRtt', { s: secs(r.uplink.roundTripMs) });
  out.push('', L('wtUplinkLine', { state: r.uplink.connected ? L('connected') : L('disconnected'), delivery: r.uplink.delivery ?? '?', rtt }));
  if (r.escalation) {
    out.push(r.escalation.error !== null ? paint(ctx, 31, L('wtEscalationRefused', { error: r.escalation.error }))
      : paint(ctx, r.escalation.ok ? 32 : 31, L('wtEscalationLine', { ok: r.escalation.stepsOk, n: r.escalation.steps })));
  }
  const source = clockSourceText(ctx.lang, r.clock.source);
  out.push(L('wtClockLine', { state: L(r.clock.state === 'synced' ? 'clockSynced' : r.clock.state === 'unsynced' ? 'clockUnsynced' : 'clockUnknown'), source }));
  const bad = r.devices.filter((d) => d.result !== 'pass').length;
  if (test && !test.confirmed) out.push(paint(ctx, 31, L('wtUplinkFailed')));
  out.push(bad === 0 && r.devices.length > 0 ? paint(ctx, r.ok ? 32 : 33, L('wtAllPassed', { n: r.devices.length })) : paint(ctx, 31, L('wtSomeFailed', { failed: bad, n: r.devices.length })));
  return out.join('\n');
}

/** How long the walk test sounds a siren (control command siren-test). */
const SIREN_TEST_S = 2;

/**
 * A siren's step: the hub sounds it with the test tone, then the technician says whether it was heard
 * (y), not heard (n), or asks for it again (r). The daemon's refusal or the transport's failure fails
 * the step with its detail, without asking.
 */
async function sirenStep(ctx: Ctx, id: string, input: LineInput, say: (s: string) => void): Promise<Pick<WalktestDevice, 'result' | 'proofMs' | 'evidence' | 'hint' | 'hintCode' | 'hintVars'>> {
  const L = (k: MessageKey, v?: Record<string, string | number>) => t(ctx.lang, k, v);
  const t0 = Date.now();
  for (;;) {
    const r = await request(ctx.socket, 'siren-test', { device: id, seconds: SIREN_TEST_S });
    if (!r.ok) {
      const hint: Hint = { key: 'wtHintSirenFailed', vars: { detail: `${r.code}: ${r.message}` } };
      say(`  ${paint(ctx, 31, L('wtFailLine', { hint: renderHint(ctx.lang, hint.key, hint.vars) }))}`);
      return { result: 'fail', proofMs: null, evidence: '', ...hintOf(hint) };
    }
    say(`  ${L('wtSirenSounded')}`);
    let answer: string | null;
    do answer = (await input.next())?.toLowerCase() ?? null;
    while (answer !== null && !['y', 'yes', '是', 'n', 'no', '否', 'r'].includes(answer));
    if (answer === 'r') continue;
    // End of input (a script, </dev/null): sounded, but nobody can say it was heard; the walk goes on.
    if (answer === null) return { result: 'not-tested', proofMs: null, evidence: 'sounded', ...hintOf({ key: 'wtHintSirenNoAnswer', vars: {} }) };
    if (answer === 'n' || answer === 'no' || answer === '否') {
      const hint: Hint = { key: 'wtHintSirenNotHeard', vars: {} };
      say(`  ${paint(ctx, 31, L('wtFailLine', { hint: renderHint(ctx.lang, hint.key, hint.vars) }))}`);
      return { result: 'fail', proofMs: null, evidence: 'sounded', ...hintOf(hint) };
    }
    say(`  ${paint(ctx, 32, L('wtSirenPass'))}`);
    return { result: 'pass', proofMs: Date.now() - t0, evidence: 'sounded, heard', hint: null, hintCode: null, hintVars: null };
  }
}

/** Why a device did not prove itself: the link first (cable, radio, bus), then the data. */
async function failureHint(id: string, proof: ProofState, awaited: MessageKey, getStatus: () => Promise<DaemonStatus | null>): Promise<Hint> {
  const s = await getStatus().catch(() => null);
  const d = s?.devices.find((x) => x.id === id);
  if (d?.serial && !d.serial.open) return { key: 'wtHintPortClosed', vars: { port: d.serial.path, error: d.serial.lastError ?? '-' } };
  if (d?.ble && !d.ble.connected) return { key: 'wtHintBle', vars: { problem: d.ble.problem ?? d.ble.state } };
  if (d?.modbus && d.modbus.state !== 'ok') return { key: 'wtHintModbus', vars: { fault: d.modbus.fault ? `${d.modbus.fault.code}: ${d.modbus.fault.message}` : d.modbus.state } };
  if (proof.readings === 0) return { key: d?.serial ? 'wtHintNoData' : 'wtHintNoDataAny', vars: { port: d?.serial?.path ?? '-' } };
  return { key: 'wtHintNoProof', vars: { what: awaited, evidence: evidence(proof) || String(proof.readings) } };
}

const secs = (ms: number) => (ms / 1000).toFixed(1);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
function safeUser(): string {
  try { return userInfo().username; } catch { return 'local'; }
}
