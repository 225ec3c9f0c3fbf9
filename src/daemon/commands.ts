import { z } from 'zod';
import type { Clock } from '../core/clock.js';
import { CommandError, type CommandSpec } from '../uplink/commands.js';
import type { Uplink } from '../uplink/mqtt-uplink.js';

/**
 * The commands the cloud can send this hub (docs/uplink.md, "Commands"). Each validates
 * its arguments before acting; the dispatcher turns failures into error responses.
 * `set-config` is offered when the daemon runs under the supervisor (the real anjud), which
 * applies it atomically and rolls back. Not yet: `ack-alarm` (needs the alarm lifecycle); until
 * then it answers ANJU_CMD_UNKNOWN like any command this hub does not have.
 */
const RESYNC_MAX = 10_000;

export function hubCommands(o: {
  clock: Clock;
  uplink: () => Uplink | null;
  status: () => unknown;
  /** Validates and schedules a new config (see supervisor.ts); throws CommandError when it refuses. */
  applyConfig?: (yamlText: string) => unknown;
}): Record<string, CommandSpec<never>> {
  const ping: CommandSpec<Record<string, never>> = {
    args: z.strictObject({}),
    run: () => ({ pong: true, ts: o.clock.now() }),
  };
  const getStatus: CommandSpec<Record<string, never>> = {
    args: z.strictObject({}),
    run: () => o.status(),
  };
  const resync: CommandSpec<{ since_seq: number; limit: number }> = {
    args: z.strictObject({
      since_seq: z.number().int().min(0),
      limit: z.number().int().min(1).max(RESYNC_MAX).default(RESYNC_MAX),
    }),
    run({ since_seq, limit }) {
      const u = o.uplink();
      if (!u) throw new CommandError('ANJU_CMD_NOT_READY', 'the uplink is not running');
      return u.resync(since_seq, limit);
    },
  };
  const specs: Record<string, unknown> = { ping, 'get-status': getStatus, resync };
  const apply = o.applyConfig;
  if (apply) {
    const setConfig: CommandSpec<{ yaml: string }> = {
      args: z.strictObject({ yaml: z.string().min(1).max(1024 * 1024) }),
      run: ({ yaml }) => apply(yaml),
    };
    specs['set-config'] = setConfig;
  }
  return specs as Record<string, CommandSpec<never>>;
}
