import type { Command } from 'commander';
import { request, subscribe } from '../client.js';
import { adoptZone, context, localTime, run, type Ctx } from '../context.js';
import { classOf } from '../../core/event.js';
import type { SubscribeArgs } from '../../control/protocol.js';
import { stateName, t, typeName } from '../i18n.js';

/**
 * `anjuctl events tail` and `anjuctl live`: follow committed events, or every reading (filterable
 * by device), as they happen. One line each; --json for one JSON object per line.
 * (Registered in src/cli/command-tree.ts.)
 */
export async function eventsTail(o: { device?: string; count?: number }, cmd: Command): Promise<void> {
  await follow(await context(cmd), { events: true, readings: false, ...(o.device ? { device: o.device } : {}) }, o.count);
}

export async function liveCommand(o: { device?: string; count?: number }, cmd: Command): Promise<void> {
  await follow(await context(cmd), { events: false, readings: true, ...(o.device ? { device: o.device } : {}) }, o.count);
}

async function follow(ctx: Ctx, args: SubscribeArgs, count?: number): Promise<void> {
  await run(ctx, async () => {
    let seen = 0;
    // The home's zone, for the times on each line (a daemon too old to say keeps the config's or this machine's).
    if (!ctx.json) adoptZone(ctx, await request(ctx.socket, 'get-status').then((r) => (r.ok ? r.data.timezone : null), () => null));
    const sub = await subscribe(ctx.socket, args, (stream, d) => {
      if (count !== undefined && seen >= count) return; // already stopping
      if (ctx.json) ctx.out(JSON.stringify({ stream, ...d }));
      else if (stream === 'event') ctx.out(`${localTime(ctx, d.ts)}  ${classOf(d.type) === 'report' ? `${t(ctx.lang, 'classReport')} ` : ''}#${d.seq}  ${typeName(ctx.lang, d.type)} ${stateName(ctx.lang, d.state)}  ${d.device ?? '-'}  ${JSON.stringify(d.data)}`);
      else ctx.out(`${localTime(ctx, d.ts)}  ${d.device}  ${d.metric} = ${JSON.stringify(d.value)}`);
      if (count !== undefined && ++seen >= count) sub.stop();
    });
    // Said once the daemon confirmed the subscription (what comes from now on is shown); on stderr,
    // also with --json, so that a script can tell when to start what it wants to watch.
    ctx.err(t(ctx.lang, 'waiting'));
    process.once('SIGINT', () => sub.stop());
    await sub.closed;
    return 0;
  });
}
