import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import stringWidth from 'string-width';
import { ControlError, DEFAULT_SOCKET } from './client.js';
import { pickLang, t, wordedIn, type Lang } from './i18n.js';
import { displayZone, formatLocalTime } from './local-time.js';

/**
 * What every daemon-facing anjuctl command shares: where the socket is, which language, JSON or
 * tables, colour only on a terminal, and documented exit codes.
 */
export const EXIT = { OK: 0, FAILED: 1, USAGE: 2, NOT_RUNNING: 3, NO_PERMISSION: 4, CONFIG: 78 } as const;

export interface Ctx {
  socket: string;
  lang: Lang;
  json: boolean;
  color: boolean;
  /** The anjud config file (--config, $ANJU_CONFIG); may not exist or be readable on this machine. */
  configPath: string | undefined;
  /**
   * IANA zone times are shown in (src/cli/local-time.ts): hub.timezone of the config file when it
   * was read, else this machine's; `adoptZone` replaces it with the running daemon's (get-status).
   */
  zone: string;
  out(s: string): void;
  err(s: string): void;
}

export interface GlobalOpts { socket?: string; config?: string; lang?: string; json?: boolean }

/**
 * The context of a command run from its global options (src/cli/command-tree.ts addGlobalOptions).
 * The config file is read (zod, yaml: the heaviest part of a start) only when it is what says where
 * the socket is: not with --socket or $ANJU_SOCKET, which is how scripts and tests run anjuctl.
 */
export async function context(cmd: Command): Promise<Ctx> {
  const g = cmd.optsWithGlobals<GlobalOpts>();
  let socket = g.socket ?? process.env.ANJU_SOCKET;
  let hubZone: string | null = null;
  if (!socket && g.config && existsSync(g.config)) {
    const { loadConfigFile } = await import('../config/load.js');
    const r = loadConfigFile(g.config);
    if (r.ok) {
      socket = r.config.control.socket;
      hubZone = r.config.hub.timezone ?? null;
    }
  }
  return {
    socket: socket ?? DEFAULT_SOCKET,
    lang: pickLang(g.lang),
    json: g.json === true,
    color: process.stdout.isTTY === true && !process.env.NO_COLOR,
    configPath: g.config,
    zone: displayZone(hubZone),
    out: (s) => process.stdout.write(`${s}\n`),
    err: (s) => process.stderr.write(`${s}\n`),
  };
}

/** The running daemon knows the home's zone (get-status `timezone`): it wins over the config file's guess. */
export function adoptZone(ctx: Ctx, hubTimezone: string | null | undefined): void {
  if (hubTimezone) ctx.zone = displayZone(hubTimezone);
}

/** A time as a person reads it: local to the home, with its offset (`2026-12-07 17:51:19 +08:00`). */
export const localTime = (ctx: Ctx, ts: number): string => formatLocalTime(ts, ctx.zone);

export const paint = (ctx: Ctx, code: number, s: string): string => (ctx.color ? `\u001b[${code}m${s}\u001b[0m` : s);

/** Runs a command body; turns connection failures and daemon errors into messages and exit codes. */
export async function run(ctx: Ctx, body: () => Promise<number>): Promise<never> {
  let code: number;
  try {
    code = await body();
  } catch (err) {
    if (err instanceof ControlError && err.kind !== 'protocol') {
      const key = err.kind === 'not-running' ? 'notRunning' : 'noPermission';
      if (ctx.json) ctx.out(JSON.stringify({ ok: false, code: err.kind, message: t('en', key, { path: err.path }) }));
      else ctx.err(t(ctx.lang, key, { path: err.path }));
      code = err.kind === 'not-running' ? EXIT.NOT_RUNNING : EXIT.NO_PERMISSION;
    } else {
      ctx.err(t(ctx.lang, 'unexpected', { message: err instanceof ControlError ? wordedIn(ctx.lang, err) : (err as Error).message }));
      code = EXIT.FAILED;
    }
  }
  process.exit(code);
}

/**
 * Aligned table for any SSH terminal. Widths are display columns (string-width: East Asian wide
 * characters count 2, ANSI colour codes 0), so a red 未确认 lines up with the plain cells below it.
 */
export function table(header: string[], rows: string[][]): string {
  const cols = header.map((h, i) => Math.max(stringWidth(h), ...rows.map((r) => stringWidth(r[i] ?? ''))));
  const line = (r: string[]) => r.map((c, i) => c + ' '.repeat(cols[i]! - stringWidth(c))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
