import type { Logger } from 'pino';
import type { ArgsSchema } from './args.js';
import { CONTRACT_VERSION, type CommandResponse } from './contract.js';

/**
 * Downlink commands: anju/v1/<hub>/cmd/<name>, MQTT 5 request/response. The dispatcher owns the
 * parts every command shares: JSON parsing, argument validation against the command's schema,
 * stable error codes, and never letting a handler's failure escape. A command that fails changes
 * nothing: handlers validate first and act last.
 */
export const CommandErrors = {
  UNKNOWN: 'ANJU_CMD_UNKNOWN',
  BAD_JSON: 'ANJU_CMD_BAD_JSON',
  INVALID_ARGS: 'ANJU_CMD_INVALID_ARGS',
  FAILED: 'ANJU_CMD_FAILED',
  /** The payload is over MAX_COMMAND_BYTES (src/uplink/contract.ts): not read (src/uplink/inbound.ts). */
  TOO_LARGE: 'ANJU_CMD_TOO_LARGE',
} as const;

export class CommandError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export interface CommandSpec<A, R = unknown> {
  /** Arguments schema (src/uplink/args.ts, or a zod schema); an empty payload is parsed as `{}`. */
  args: ArgsSchema<A, unknown>;
  run(args: A): R | Promise<R>;
}

export interface CommandDispatcher {
  handle(name: string, payload: Buffer): Promise<CommandResponse>;
  names(): string[];
}

export function createCommandDispatcher(hubId: string, specs: Record<string, CommandSpec<never>>, log: Logger): CommandDispatcher {
  const reply = (cmd: string, r: Omit<CommandResponse, 'v' | 'hub' | 'cmd'>): CommandResponse => ({ v: CONTRACT_VERSION, hub: hubId, cmd, ...r });
  return {
    names: () => Object.keys(specs),
    async handle(name, payload) {
      const spec = Object.hasOwn(specs, name) ? (specs[name] as unknown as CommandSpec<unknown>) : undefined;
      if (!spec) return reply(name, { ok: false, code: CommandErrors.UNKNOWN, message: `unknown command "${name}"; known: ${Object.keys(specs).join(', ')}` });
      let raw: unknown = {};
      const text = payload.toString('utf8').trim();
      if (text !== '') {
        try {
          raw = JSON.parse(text);
        } catch (err) {
          return reply(name, { ok: false, code: CommandErrors.BAD_JSON, message: `payload is not JSON: ${(err as Error).message}` });
        }
      }
      const parsed = spec.args.safeParse(raw);
      if (!parsed.success) {
        const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`).join('; ');
        return reply(name, { ok: false, code: CommandErrors.INVALID_ARGS, message: detail });
      }
      try {
        const data = await spec.run(parsed.data);
        log.info({ cmd: name }, 'command done');
        return reply(name, { ok: true, ...(data === undefined ? {} : { data }) });
      } catch (err) {
        const code = err instanceof CommandError ? err.code : CommandErrors.FAILED;
        log.warn({ cmd: name, code, err: (err as Error).message }, 'command failed');
        return reply(name, { ok: false, code, message: (err as Error).message });
      }
    },
  };
}
