import type { Command } from 'commander';
import { request } from '../client.js';
import { context, EXIT, paint, run, table, type Ctx } from '../context.js';
import { t } from '../i18n.js';
import { failed } from './status.js';
import type { ScannedBleDevice } from '../../control/protocol.js';

/**
 * `anjuctl pair [--seconds N] [--close]`: opens the Zigbee network for joining for a bounded time
 * (the coordinator's permit-join, 254 s at most), so a technician can add a sensor on site.
 * `anjuctl pair --ble [--seconds N] [--adapter hciN] [--room ROOM]`: a Bluetooth LE scan through
 * the daemon (local-only `ble-scan`: the daemon owns the radio and the config), listing each device
 * heard with its name, RSSI, the known model its advertised services match, whether it is already
 * configured, and the exact `anjuctl devices add` line for the new ones.
 * Exit codes: 0 ok (also when nothing was found), 1 the daemon refused or the scan failed,
 * 2 usage, 3 anjud not running, 4 no permission.
 */
export async function pairCommand(o: { seconds?: number; close?: boolean; ble?: boolean; adapter?: string; room?: string }, cmd: Command): Promise<void> {
  const ctx = await context(cmd);
  await run(ctx, async () => {
    if (o.ble) return bleScan(ctx, o);
    const r = await request(ctx.socket, 'permit-join', { seconds: o.close ? 0 : o.seconds ?? 60 });
    if (!r.ok) return failed(ctx, r);
    const d = r.data;
    if (ctx.json) ctx.out(JSON.stringify(d));
    else ctx.out(d.seconds > 0 ? t(ctx.lang, 'pairOpen', { n: d.seconds }) : t(ctx.lang, 'pairClosed'));
    return EXIT.OK;
  });
}

async function bleScan(ctx: Ctx, o: { seconds?: number; adapter?: string; room?: string }): Promise<number> {
  const seconds = o.seconds ?? 10;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 60) {
    ctx.err(t(ctx.lang, 'pbSecondsBle'));
    return EXIT.USAGE;
  }
  if (!ctx.json) ctx.err(o.adapter ? t(ctx.lang, 'pbScanning', { adapter: o.adapter, n: seconds }) : t(ctx.lang, 'pbScanningDefault', { n: seconds }));
  const r = await request(ctx.socket, 'ble-scan', { seconds, ...(o.adapter ? { adapter: o.adapter } : {}) }, (seconds + 30) * 1000);
  if (!r.ok) {
    if (ctx.json || r.code !== 'ANJU_CMD_FAILED') return failed(ctx, r);
    const message = r.message ?? '';
    ctx.err(t(ctx.lang, 'pbFailed', { message }));
    if (/^(adapter-missing|adapter-powered-off)/.test(message)) ctx.err(`  -> ${t(ctx.lang, 'pbHintAdapter')}`);
    if (/^(bluez-unavailable|bus-unavailable)/.test(message)) ctx.err(`  -> ${t(ctx.lang, 'pbHintBluez')}`);
    return EXIT.FAILED;
  }
  const data = r.data;
  const room = o.room ?? '<room>';
  const devices = data.devices.map((d) => ({ ...d, add_command: d.configured_as === null && d.models.length === 1 ? addLine(d, data.adapter, room) : null }));
  if (ctx.json) {
    ctx.out(JSON.stringify({ adapter: data.adapter, seconds: data.seconds, devices }));
    return EXIT.OK;
  }
  if (devices.length === 0) {
    ctx.out(t(ctx.lang, 'pbNone', { adapter: data.adapter, n: data.seconds }));
    return EXIT.OK;
  }
  const L = (k: Parameters<typeof t>[1]) => t(ctx.lang, k);
  ctx.out(table(
    [L('pbColAddress'), L('pbColName'), L('pbColRssi'), L('colModel'), L('pbColConfigured')],
    devices.map((d) => [
      d.address, d.name ?? '-', d.rssi === null ? L('pbNotHeard') : `${d.rssi} dBm`,
      d.models.length ? d.models.join(' / ') : L('pbUnknownModel'), d.configured_as ?? L('pbNotConfigured'),
    ]),
  ));
  const lines = devices.filter((d) => d.add_command !== null);
  ctx.out('');
  if (lines.length === 0) ctx.out(t(ctx.lang, 'pbNothingToAdd', { models: (await bleModels()).join(', ') }));
  else {
    ctx.out(L('pbToAdd'));
    for (const d of lines) ctx.out(`  ${paint(ctx, 1, d.add_command!)}`);
    if (o.room === undefined) ctx.out(L('pbRoomNote'));
  }
  return EXIT.OK;
}

/** `anjuctl devices add ...` for a scanned device, ready to paste (shell-quoted). */
function addLine(d: ScannedBleDevice, adapter: string, room: string): string {
  const model = d.models[0]!;
  const id = `${model.replace(/^ble-/, '')}-${d.address.slice(-5).replace(':', '').toLowerCase()}`;
  const parts = ['anjuctl', 'devices', 'add', '--id', id, '--model', model, '--room', room, '--address', d.address];
  if (adapter !== 'hci0') parts.push('--adapter', adapter);
  if (d.name && !/^[0-9A-F]{2}([-:][0-9A-F]{2}){5}$/i.test(d.name)) parts.push('--name', d.name);
  return parts.map(shellQuote).join(' ');
}

const shellQuote = (s: string) => (/^[A-Za-z0-9_./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/**
 * The BLE models of the device catalogue, which reads every profile under devices/ from disk: loaded
 * only on the one path that names them (a plain `pair` or a scan with something to add does not).
 */
async function bleModels(): Promise<readonly string[]> {
  const { DEFAULT_LOCAL_DIR, deviceCatalogue } = await import('../../drivers/catalogue.js');
  return deviceCatalogue(DEFAULT_LOCAL_DIR).models('ble');
}
