/**
 * `anjuctl devices list | show ID`: the configured devices as the running daemon sees them.
 * list: id, model, room, transport, link state, last seen, readings, bad frames / failed polls.
 * show: everything get-status knows about one device (its link, ingest and driver counters, open
 * alarms). `devices add|remove`: devices-edit.ts. (Registered in src/cli/command-tree.ts.)
 * Exit codes: 0 ok, 1 unknown device, 3 anjud not running, 4 no permission.
 */
import type { Command } from 'commander';
import type { DaemonStatus } from '../../control/status.js';
import { request } from '../client.js';
import { context, EXIT, paint, run, table, type Ctx } from '../context.js';
import { linkStateText, t } from '../i18n.js';
import { failed } from './status.js';

type Device = DaemonStatus['devices'][number];

export async function devicesList(_o: unknown, cmd: Command): Promise<void> {
  const ctx = await context(cmd);
  await run(ctx, async () => {
    const r = await request(ctx.socket, 'get-status');
    if (!r.ok) return failed(ctx, r);
    const s = r.data;
    const now = Date.now();
    if (ctx.json) ctx.out(JSON.stringify(s.devices.map((d) => ({ id: d.id, model: d.model, room: d.room, transport: transportOf(d), link: linkOf(d), lastSeenTs: d.ingest?.lastSeenTs ?? null, readings: d.ingest?.readings ?? 0, errors: errorsOf(d) }))));
    else ctx.out(table(
      [t(ctx.lang, 'colDevice'), t(ctx.lang, 'colModel'), t(ctx.lang, 'colRoom'), t(ctx.lang, 'colTransport'), t(ctx.lang, 'colLink'), t(ctx.lang, 'colLastSeen'), t(ctx.lang, 'colReadings'), t(ctx.lang, 'colErrors')],
      s.devices.map((d) => [d.id, d.model, d.room, transportOf(d), linkText(ctx, d), ago(ctx, d.ingest?.lastSeenTs, now), String(d.ingest?.readings ?? 0), String(errorsOf(d))]),
    ));
    return EXIT.OK;
  });
}

export async function devicesShow(id: string, _o: unknown, cmd: Command): Promise<void> {
  const ctx = await context(cmd);
  await run(ctx, async () => {
    const r = await request(ctx.socket, 'get-status');
    if (!r.ok) return failed(ctx, r);
    const s = r.data;
    const d = s.devices.find((x) => x.id === id);
    if (!d) {
      ctx.err(t(ctx.lang, 'unknownDevice', { id, ids: s.devices.map((x) => x.id).join(', ') || '-' }));
      return EXIT.FAILED;
    }
    const alarms = s.alarms.filter((a) => a.device === id);
    if (ctx.json) { ctx.out(JSON.stringify({ ...d, transport: transportOf(d), link: linkOf(d), alarms })); return EXIT.OK; }
    const now = Date.now();
    const L = (k: Parameters<typeof t>[1]) => t(ctx.lang, k);
    const rows: string[][] = [
      [L('colDevice'), d.id], [L('colModel'), d.model], [L('colRoom'), d.room], [L('colTransport'), transportOf(d)],
      [L('colLink'), linkText(ctx, d)], [L('colLastSeen'), ago(ctx, d.ingest?.lastSeenTs, now)],
      [L('colReadings'), String(d.ingest?.readings ?? 0)], [L('colErrors'), String(errorsOf(d))],
      [L('alarms'), alarms.length === 0 ? L('noAlarms') : alarms.map((a) => `${a.type} (${a.id})`).join(', ')],
    ];
    // The rest (port, driver, BLE and Modbus counters) as key: value, straight from get-status.
    const detail = { serial: d.serial, ble: d.ble, modbus: d.modbus, ingest: d.ingest ?? null };
    for (const [section, v] of Object.entries(detail)) {
      if (v === null || v === undefined) continue;
      for (const [k, x] of Object.entries(flat(v as Record<string, unknown>))) rows.push([`${section}.${k}`, x]);
    }
    ctx.out(table(['', ''], rows).split('\n').slice(1).join('\n'));
    return EXIT.OK;
  });
}

function flat(o: Record<string, unknown>, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, flat(v as Record<string, unknown>, `${prefix}${k}.`));
    else out[`${prefix}${k}`] = v === null ? '-' : typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

/** As the daemon reports it (older daemons did not: then guessed from which link stats are there). */
const transportOf = (d: Device): string => d.transport ?? (d.serial ? 'serial' : d.ble ? 'ble' : d.modbus ? 'modbus' : '-');

function linkOf(d: Device): string {
  if (d.serial) return d.serial.open ? 'open' : 'closed';
  if (d.ble) return d.ble.connected ? 'connected' : d.ble.problem ?? d.ble.state;
  if (d.modbus) return d.modbus.state;
  return 'unknown';
}

function linkText(ctx: Ctx, d: Device): string {
  const l = linkOf(d);
  const good = l === 'open' || l === 'connected' || l === 'ok';
  const txt = l === 'open' ? t(ctx.lang, 'portOpen') : l === 'closed' ? t(ctx.lang, 'portClosed') : linkStateText(ctx.lang, l);
  return good ? txt : paint(ctx, 31, txt);
}

function errorsOf(d: Device): number {
  const drv = d.ingest?.driver;
  const m = d.modbus;
  return (drv ? drv.checksumErrors + drv.framingErrors : 0) + (m ? m.timeouts + m.exceptions + m.crcErrors : 0) + (d.ble?.connectFailures ?? 0)
    + (d.ingest?.implausible ?? 0); // readings dropped as implausible (src/core/plausibility.ts)
}

const ago = (ctx: Ctx, ts: number | null | undefined, now: number) =>
  ts === null || ts === undefined ? t(ctx.lang, 'never') : t(ctx.lang, 'secondsAgo', { n: Math.max(0, Math.round((now - ts) / 1000)) });
