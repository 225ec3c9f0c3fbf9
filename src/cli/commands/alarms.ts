import type { Command } from 'commander';
import type { OpenAlarm } from '../../store/alarm-store.js';
import { request } from '../client.js';
import { adoptZone, context, EXIT, localTime, paint, run, table, type Ctx } from '../context.js';
import { t, typeName } from '../i18n.js';
import { resolveId, shortIds, type Resolved } from '../short-id.js';
import { failed } from './status.js';

/**
 * `anjuctl alarms list|ack [ID] [--device ID]`: the open alarms, and acknowledging them on site.
 * Ids are typed as short ids (a unique prefix of at least 4 characters, as git does); --device
 * acknowledges every open alarm of one device. (Registered in src/cli/command-tree.ts.)
 */
export async function alarmsList(_o: unknown, cmd: Command): Promise<void> {
  const ctx = await context(cmd);
  await run(ctx, async () => {
    const r = await request(ctx.socket, 'get-status');
    if (!r.ok) return failed(ctx, r);
    adoptZone(ctx, r.data.timezone);
    const open = r.data.alarms;
    if (ctx.json) ctx.out(JSON.stringify(open));
    else if (open.length === 0) ctx.out(t(ctx.lang, 'noAlarms'));
    else ctx.out(alarmTable(ctx, open, true));
    return EXIT.OK;
  });
}

export async function alarmsAck(typed: string | undefined, o: { by: string; device?: string }, cmd: Command): Promise<void> {
  const ctx = await context(cmd);
  await run(ctx, () => ack(ctx, typed, o));
}

/** Open alarms as a table: local times, type names in the reader's language, short ids. */
export function alarmTable(ctx: Ctx, open: readonly OpenAlarm[], idFirst: boolean): string {
  const L = (k: Parameters<typeof t>[1], v?: Record<string, string | number>) => t(ctx.lang, k, v);
  const short = shortIds(open.map((a) => a.id));
  const rows = open.map((a) => {
    const cells = [typeName(ctx.lang, a.type), a.device ?? '-', localTime(ctx, a.raisedTs), a.ackedBy ? L('acknowledged', { by: a.ackedBy }) : paint(ctx, 31, L('unacknowledged'))];
    return idFirst ? [short.get(a.id)!, ...cells] : [...cells, short.get(a.id)!];
  });
  const head = [L('colAlarm'), L('colDevice'), L('colSince'), L('colAck')];
  return table(idFirst ? [L('colId'), ...head] : [...head, L('colId')], rows);
}

/** Says why a typed id names no single one (too short, none, several: listed) and returns exit 2. */
export function refuseId(ctx: Ctx, what: 'whatAlarm' | 'whatDevice', typed: string, r: Exclude<Resolved, { ok: true }>, known: readonly string[], label: (id: string) => string = (id) => id): number {
  const vars = { what: t(ctx.lang, what), typed, min: 4 };
  if (ctx.json) ctx.out(JSON.stringify({ ok: false, code: `ANJUCTL_ID_${r.reason.toUpperCase().replace('-', '_')}`, typed, candidates: r.candidates }));
  else if (r.reason === 'too-short') ctx.err(t(ctx.lang, 'idTooShort', vars));
  else if (r.reason === 'none') ctx.err(t(ctx.lang, 'idNone', { ...vars, known: known.join(', ') || '-' }));
  else ctx.err(t(ctx.lang, 'idAmbiguous', { ...vars, candidates: r.candidates.map((c) => `  ${label(c)}`).join('\n') }));
  return EXIT.USAGE;
}

async function ack(ctx: Ctx, typed: string | undefined, o: { by: string; device?: string }): Promise<number> {
  const s = await request(ctx.socket, 'get-status');
  if (!s.ok) return failed(ctx, s);
  const open = s.data.alarms;
  const label = (id: string) => {
    const a = open.find((x) => x.id === id);
    return a ? `${id}  ${typeName(ctx.lang, a.type)}  ${a.device ?? '-'}` : id;
  };
  let ids: string[];
  if (o.device !== undefined) {
    const devices = s.data.devices.map((d) => d.id);
    const dev = resolveId(o.device, devices);
    if (!dev.ok) return refuseId(ctx, 'whatDevice', o.device, dev, devices);
    ids = open.filter((a) => a.device === dev.id).map((a) => a.id);
    if (typed !== undefined) {
      const one = resolveId(typed, ids);
      if (!one.ok) return refuseId(ctx, 'whatAlarm', typed, one, ids, label);
      ids = [one.id];
    }
    if (ids.length === 0) {
      ctx.err(t(ctx.lang, 'ackNoneForDevice', { device: dev.id }));
      return EXIT.FAILED;
    }
  } else if (typed !== undefined) {
    const one = resolveId(typed, open.map((a) => a.id));
    // A prefix of no open alarm goes to the daemon as typed: its ANJU_CMD_NOT_FOUND (exit 1) is the answer.
    if (!one.ok && one.reason !== 'none') return refuseId(ctx, 'whatAlarm', typed, one, open.map((a) => a.id), label);
    ids = [one.ok ? one.id : typed];
  } else {
    ctx.err(t(ctx.lang, 'ackNeedOne'));
    return EXIT.USAGE;
  }
  const results = [];
  for (const id of ids) {
    const r = await request(ctx.socket, 'ack-alarm', { id, by: o.by });
    if (!r.ok) return failed(ctx, r, { id });
    results.push(r.data);
    if (!ctx.json) ctx.out(t(ctx.lang, r.data.already_acknowledged ? 'ackAlready' : 'ackDone', { id, type: typeName(ctx.lang, r.data.alarm_type) }));
  }
  if (ctx.json) ctx.out(JSON.stringify(o.device !== undefined ? results : results[0]));
  return EXIT.OK;
}
