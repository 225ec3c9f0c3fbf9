import type { Command } from 'commander';
import { isWaiting, type DaemonStatus, type WaitingStatus } from '../../control/status.js';
import { byLine } from '../../config/result.js';
import { renderProblems } from '../config-problems.js';
import { requestStatus } from '../client.js';
import { adoptZone, context, localTime, EXIT, paint, run, table, type Ctx } from '../context.js';
import { errorText, t, type Vars } from '../i18n.js';
import { alarmTable } from './alarms.js';

/** `anjuctl status`: daemon, uplink, queues, every device, open alarms (registered in src/cli/command-tree.ts). */
export async function statusCommand(_o: unknown, cmd: Command): Promise<void> {
  const ctx = await context(cmd);
  await run(ctx, async () => {
    const r = await requestStatus(ctx.socket);
    if (!r.ok) return failed(ctx, r);
    if (!isWaiting(r.data)) adoptZone(ctx, r.data.timezone);
    if (ctx.json) ctx.out(JSON.stringify(r.data));
    else if (isWaiting(r.data)) ctx.out(renderWaiting(ctx, r.data));
    else ctx.out(renderStatus(ctx, r.data, Date.now()));
    return EXIT.OK;
  });
}

/** A daemon with no config yet (src/daemon/waiting.ts): what to run. */
function renderWaiting(ctx: Ctx, s: WaitingStatus): string {
  const lines = [paint(ctx, 31, t(ctx.lang, 'stWaiting', { version: s.version, file: s.config }))];
  if (s.problems && s.problems.length > 0) lines.push(t(ctx.lang, 'stWaitingProblems', { n: s.problems.length, first: renderProblems(ctx.lang, s.config, byLine(s.problems).slice(0, 1)) }));
  return lines.join('\n');
}

/** A daemon's error reply: JSON as it came, else the code and our text for it (src/cli/messages/errors.ts). */
export function failed(ctx: Ctx, r: { code?: string; message?: string }, vars: Vars = {}): number {
  if (ctx.json) ctx.out(JSON.stringify(r));
  else ctx.err(t(ctx.lang, 'failed', { code: r.code ?? '?', message: errorText(ctx.lang, r.code ?? '?', r.message ?? '', vars) }));
  return EXIT.FAILED;
}

const ago = (ctx: Ctx, ts: number | null | undefined, now: number) =>
  ts === null || ts === undefined ? t(ctx.lang, 'never') : t(ctx.lang, 'secondsAgo', { n: Math.max(0, Math.round((now - ts) / 1000)) });

const size = (bytes: number): string => (bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GB` : `${(bytes / 1024 ** 2).toFixed(1)} MB`);

/** The store's health (issue 12): state, free space, events held in memory, the last failed write. */
function storageLine(ctx: Ctx, st: NonNullable<DaemonStatus['storage']>): string {
  const L = (k: Parameters<typeof t>[1], v?: Record<string, string | number>) => t(ctx.lang, k, v);
  const state = st.state === 'ok' ? paint(ctx, 32, L('storageOk')) : paint(ctx, 31, L(st.state === 'disk_full' ? 'storageDiskFull' : 'storageError'));
  const parts = [`${paint(ctx, 1, L('storage'))} ${state}`];
  if (st.freeBytes !== null) parts.push(L('storageFree', { size: size(st.freeBytes) }));
  if (st.held.events > 0) parts.push(paint(ctx, 31, L('storageHeld', { n: st.held.events, alarms: st.held.alarms })));
  if (st.state !== 'ok' && st.lastError) parts.push(L('storageLastError', { code: st.lastError.code ?? st.lastError.kind, where: st.lastError.where }));
  return parts.join('  ');
}

/** The cellular modem (issue 15): its state, in words, and the modem's own detail (signal, operator, SIM). */
function modemLine(ctx: Ctx, m: NonNullable<DaemonStatus['modem']>): string {
  const ok = m.status.state === 'ready';
  const state = paint(ctx, ok ? 32 : 31, t(ctx.lang, `modemState_${m.status.state}`));
  return `${paint(ctx, 1, t(ctx.lang, 'modem'))} ${state}  ${m.model} ${m.path}  ${m.status.detail}`;
}

/**
 * The release manager's last attempt (issue 13): after a rollback, dpkg says the new version is
 * installed while the previous one runs; this line says which ran, which was tried, and why it is back.
 */
function releaseLine(ctx: Ctx, a: NonNullable<NonNullable<DaemonStatus['release']>['lastAttempt']>, now: number): string {
  const L = (k: Parameters<typeof t>[1], v?: Record<string, string | number>) => t(ctx.lang, k, v);
  const state = a.state === 'confirmed' ? L('releaseConfirmed')
    : a.state === 'rolled_back' ? paint(ctx, 31, L('releaseRolledBack'))
      : a.state === 'refused' ? L('releaseRefused') : L('releasePending');
  const line = `${paint(ctx, 1, L('release'))} ${L('releaseAttempt', { kind: L(a.kind === 'rollback' ? 'releaseKindRollback' : 'releaseKindUpgrade'), from: a.from || '-', to: a.to, state, ago: `${localTime(ctx, a.ts)}, ${ago(ctx, a.ts, now)}` })}`;
  return a.reason ? `${line}  ${L('releaseReason', { reason: a.reason })}` : line;
}

export function renderStatus(ctx: Ctx, s: DaemonStatus, now: number): string {
  const L = (k: Parameters<typeof t>[1], v?: Record<string, string | number>) => t(ctx.lang, k, v);
  const u = s.uplink;
  const out: string[] = [];
  out.push(`${paint(ctx, 1, L('hub'))} ${s.hub}  ${L('version')} ${s.version}`);
  const conn = u?.connected ? paint(ctx, 32, L('connected')) : paint(ctx, 31, L('disconnected'));
  const ack = s.uplink?.lastCloudAck ? `${L('seq', { seq: s.uplink.lastCloudAck.seq })} (${ago(ctx, s.uplink.lastCloudAck.ts, now)})` : L('none');
  const oldest = s.outbox.oldestPendingTs === null ? L('none') : ago(ctx, s.outbox.oldestPendingTs, now);
  const queue = [L('queueAlarm', { n: s.outbox.depth.alarm }), L('queueEvent', { n: s.outbox.depth.event }), L('queueReport', { n: s.outbox.depth.report ?? 0 })].join(L('listSep'));
  out.push(`${paint(ctx, 1, L('uplink'))} ${conn}  ${L('queue')}: ${queue}  ${L('lastCloudAck')}: ${ack}  ${L('oldestAlarm')}: ${oldest}`);
  if (s.storage) out.push(storageLine(ctx, s.storage));
  if (s.modem) out.push(modemLine(ctx, s.modem));
  if (s.release?.lastAttempt) out.push(releaseLine(ctx, s.release.lastAttempt, now));
  if (s.update) {
    const u = s.update;
    const stage = u.stage === 'downloading' ? L('stUpdateDownloading', { pct: Math.floor((u.receivedBytes * 100) / u.size), size: size(u.size) }) : L('stUpdateInstalling');
    out.push(`${paint(ctx, 1, L('stUpdate', { version: u.version, stage }))}`);
  }
  out.push('', paint(ctx, 1, L('devices')));
  out.push(table(
    [L('colDevice'), L('colModel'), L('colRoom'), L('colPort'), L('colLastSeen'), L('colFrames'), L('colErrors')],
    s.devices.map((d) => {
      const drv = d.ingest?.driver;
      const bad = drv ? drv.checksumErrors + drv.framingErrors : 0;
      return [d.id, d.model, d.room, d.serial?.open ? L('portOpen') : paint(ctx, 31, L('portClosed')), ago(ctx, d.ingest?.lastSeenTs, now), String(drv?.frames ?? 0), String(bad)];
    }),
  ));
  out.push('', paint(ctx, 1, L('alarms')));
  if (s.alarms.length === 0) out.push(L('noAlarms'));
  else out.push(alarmTable(ctx, s.alarms, false));
  return out.join('\n');
}
