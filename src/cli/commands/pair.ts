import type { Command } from 'commander';
import { request } from '../client.js';
import { context, EXIT, run } from '../context.js';
import { t } from '../i18n.js';
import { failed } from './status.js';

/**
 * `anjuctl pair [--seconds N] [--close]`: opens the Zigbee network for joining for a bounded time
 * (the coordinator's permit-join, 254 s at most), so a technician can add a sensor on site.
 * Bluetooth devices need no pairing step in anjud (their address goes in the config).
 */
export function registerPair(program: Command): void {
  program
    .command('pair')
    .description('open the Zigbee network for joining (default 60 s; --close to close it)')
    .option('--seconds <n>', 'how long, 1-254 s', (v) => Number(v), 60)
    .option('--close', 'close it now')
    .option('--ble', 'how to add a Bluetooth device instead')
    .action(async (o: { seconds: number; close?: boolean; ble?: boolean }, cmd: Command) => {
      const ctx = context(cmd);
      await run(ctx, async () => {
        if (o.ble) {
          ctx.out(t(ctx.lang, 'pairBle'));
          return EXIT.OK;
        }
        const r = await request(ctx.socket, 'permit-join', { seconds: o.close ? 0 : o.seconds });
        if (!r.ok) return failed(ctx, r);
        const d = r.data as { seconds: number; until_ts: number | null };
        if (ctx.json) ctx.out(JSON.stringify(d));
        else ctx.out(d.seconds > 0 ? t(ctx.lang, 'pairOpen', { n: d.seconds }) : t(ctx.lang, 'pairClosed'));
        return EXIT.OK;
      });
    });
}
