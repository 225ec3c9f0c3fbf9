import type { Command } from 'commander';
import type { DaemonStatus } from '../../control/status.js';
import { request } from '../client.js';
import { context, EXIT, paint, run, table } from '../context.js';
import { t } from '../i18n.js';
import { failed } from './status.js';

/** `anjuctl alarms list|ack ID`: the open alarms, and acknowledging one on site. */
export function registerAlarms(program: Command): void {
  const alarms = program.command('alarms').description('open alarms');
  alarms
    .command('list')
    .description('list open alarms')
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = context(cmd);
      await run(ctx, async () => {
        const r = await request(ctx.socket, 'get-status');
        if (!r.ok) return failed(ctx, r);
        const open = r.data.alarms;
        if (ctx.json) ctx.out(JSON.stringify(open));
        else if (open.length === 0) ctx.out(t(ctx.lang, 'noAlarms'));
        else ctx.out(table(['ID', t(ctx.lang, 'colAlarm'), t(ctx.lang, 'colDevice'), t(ctx.lang, 'colSince'), t(ctx.lang, 'colAck')],
          open.map((a) => [a.id, a.type, a.device ?? '-', new Date(a.raisedTs).toISOString(), a.ackedBy ? t(ctx.lang, 'acknowledged', { by: a.ackedBy }) : paint(ctx, 31, t(ctx.lang, 'unacknowledged'))])));
        return EXIT.OK;
      });
    });
  alarms
    .command('ack')
    .argument('<id>', 'id of the alarm (the event that raised it)')
    .option('--by <name>', 'who takes it', `technician:${process.env.SUDO_USER ?? process.env.USER ?? 'local'}`)
    .description('acknowledge an open alarm (stops reminders; the cloud is told who took it)')
    .action(async (id: string, o: { by: string }, cmd: Command) => {
      const ctx = context(cmd);
      await run(ctx, async () => {
        const r = await request(ctx.socket, 'ack-alarm', { id, by: o.by });
        if (!r.ok) return failed(ctx, r);
        const d = r.data;
        if (ctx.json) ctx.out(JSON.stringify(r.data));
        else ctx.out(t(ctx.lang, d.already_acknowledged ? 'ackAlready' : 'ackDone', { id }));
        return EXIT.OK;
      });
    });
}
