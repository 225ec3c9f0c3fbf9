/**
 * `anjuctl diagnose`: what is wrong with this hub and what to do about it. Checks the config, serial
 * ports (with their /dev/serial/by-id names) and every configured port path, the daemon and its
 * uplink, the broker (TCP, and the TLS handshake with the configured CA for mqtts:// and wss://),
 * disk space for state_dir, clock sync, the Bluetooth adapter when BLE devices are configured, and
 * the last errors the daemon reports. Works without the daemon (says so, checks the rest).
 * Exit codes: 0 no finding is an error, 1 at least one is.
 */
import type { Command } from 'commander';
import { context, EXIT, paint, run, type Ctx } from '../context.js';
import { diagnose, findingsJson, renderFinding, type Finding } from '../diagnose-checks.js';
import { t } from '../i18n.js';

export async function diagnoseCommand(_o: unknown, cmd: Command): Promise<void> {
  const ctx = await context(cmd);
  await run(ctx, async () => {
    const r = await diagnose({ socket: ctx.socket, configPath: ctx.configPath });
    const errors = r.findings.filter((f) => f.level === 'error').length;
    if (ctx.json) ctx.out(JSON.stringify({ ok: errors === 0, findings: findingsJson(r.findings) }));
    else ctx.out(renderFindings(ctx, r.findings));
    return errors === 0 ? EXIT.OK : EXIT.FAILED;
  });
}

const COLOUR = { ok: 32, info: 36, warn: 33, error: 31 } as const;

export function renderFindings(ctx: Ctx, findings: readonly Finding[]): string {
  const out: string[] = [];
  for (const f of findings) {
    const r = renderFinding(ctx.lang, f);
    out.push(`${paint(ctx, COLOUR[f.level], `[${r.level}]`)} ${r.text}`);
    if (r.hint) out.push(`      -> ${r.hint}`);
  }
  const errors = findings.filter((f) => f.level === 'error').length;
  const warns = findings.filter((f) => f.level === 'warn').length;
  out.push('', errors === 0 ? paint(ctx, 32, t(ctx.lang, 'dgSummaryOk', { warns })) : paint(ctx, 31, t(ctx.lang, 'dgSummaryBad', { errors, warns })));
  return out.join('\n');
}
