/**
 * `anjuctl support-bundle [--out FILE]`: one file a technician sends to support. A tar.gz (made with
 * the system's `tar`, present on every Debian/Raspberry Pi OS; no npm dependency) of one folder:
 *   README.txt        what is inside, and what was left out
 *   config.yaml       the config in force, secrets redacted (password, URL credentials); the
 *                     password file's contents and TLS keys are never read into the bundle
 *   status.json       get-status: uplink, queues, devices and their counters, open alarms
 *   diagnose.txt/json the findings of `anjuctl diagnose`
 *   journal.txt       `journalctl -u anjud -n 2000` when available, else a note why not
 *   versions.txt      anjuctl, node, OS
 * Every file is scrubbed of the secret values themselves before it is written (redact.ts), and of
 * the resident's personal data (names, phone numbers, addresses, contacts: personal-data.ts, PIPL,
 * docs/privacy.md) unless --include-personal, which says loudly what the bundle then holds.
 * Works without the daemon (status.json then says so). Prints the bundle's path.
 * Exit codes: 0 bundle written, 1 could not write it.
 */
import type { Command } from 'commander';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { release, tmpdir, type as osType } from 'node:os';
import { join, resolve } from 'node:path';
import { VERSION } from '../../core/version.js';
import { context, EXIT, run, type Ctx } from '../context.js';
import { diagnose, findingsJson } from '../diagnose-checks.js';
import { t } from '../i18n.js';
import { redactConfigText, scrub, secretsOf } from '../redact.js';
import { redactPersonalConfig, scrubPersonal } from '../personal-data.js';
import { renderFindings } from './diagnose.js';

const JOURNAL_LINES = 2000;

export async function supportBundleCommand(o: { out?: string; includePersonal?: boolean }, cmd: Command): Promise<void> {
  const ctx = await context(cmd);
  await run(ctx, () => supportBundle(ctx, o.out, o.includePersonal === true));
}

async function supportBundle(ctx: Ctx, outOpt: string | undefined, includePersonal: boolean): Promise<number> {
  const d = await diagnose({ socket: ctx.socket, configPath: ctx.configPath });
  let configText: string | null = null;
  try { configText = ctx.configPath ? readFileSync(ctx.configPath, 'utf8') : null; } catch { /* noted in README */ }
  const secrets = secretsOf(d.config, configText ?? undefined);
  const hub = d.status?.hub ?? d.config?.hub.id ?? 'unknown';
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const name = `anju-support-${hub}-${stamp}`;
  const out = resolve(outOpt ?? `${name}.tar.gz`);
  const work = mkdtempSync(join(tmpdir(), 'anju-bundle-'));
  const dir = join(work, name);
  mkdirSync(dir);
  const personal = configText === null || includePersonal ? null : redactPersonalConfig(redactConfigText(configText));
  const put = (file: string, text: string) => {
    const clean = scrub(text, secrets);
    writeFileSync(join(dir, file), personal === null ? clean : scrubPersonal(clean, personal.values), { mode: 0o600 });
  };
  if (includePersonal) ctx.err(t(ctx.lang, 'sbPersonalKept'));
  try {
    const notes: string[] = [];
    if (configText !== null) put('config.yaml', personal?.text ?? redactConfigText(configText));
    else notes.push(`config: ${ctx.configPath ?? '(none given)'} could not be read by this user`);
    put('status.json', `${JSON.stringify(d.status ?? { unavailable: 'anjud not reachable over its control socket', socket: ctx.socket }, null, 2)}\n`);
    put('diagnose.json', `${JSON.stringify(findingsJson(d.findings), null, 2)}\n`);
    put('diagnose.txt', `${renderFindings({ ...ctx, lang: 'en', color: false }, d.findings)}\n`);
    const journal = await exec('journalctl', ['-u', 'anjud', '-n', String(JOURNAL_LINES), '--no-pager', '-o', 'short-iso']);
    if (journal.ok && journal.stdout.trim() !== '' && !/^-- No entries --\s*$/.test(journal.stdout.trim())) put('journal.txt', journal.stdout);
    else {
      put('journal.txt', `journalctl -u anjud gave no log lines (${journal.ok ? 'no entries: not run under systemd here?' : journal.error}).\n`);
      notes.push('journal: not available (see journal.txt)');
    }
    const osRelease = existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : '(no /etc/os-release)\n';
    put('versions.txt', `anjuctl ${VERSION}\nanjud ${d.status?.version ?? '(not running)'}\nnode ${process.version}\n${JSON.stringify(process.versions)}\nkernel ${osType()} ${release()}\n${osRelease}`);
    put('README.txt', [
      `Anju support bundle for hub ${hub}, made ${new Date().toISOString()} by anjuctl ${VERSION}.`,
      'config.yaml: the config, with uplink.password and URL credentials replaced by [redacted];',
      '  the password file and TLS keys are not included (only their paths).',
      includePersonal
        ? 'PERSONAL DATA KEPT (--include-personal): the resident\'s name, address, contacts and phone numbers are in this bundle.'
        : 'Personal data (names, addresses, contacts, phone numbers) replaced by [personal] in every file (docs/privacy.md).',
      'status.json: get-status of the running daemon. diagnose.*: anjuctl diagnose. journal.txt: recent logs.',
      ...notes.map((n) => `Note: ${n}`),
      '',
    ].join('\n'));
    const tar = await exec('tar', ['-czf', out, '-C', work, name]);
    if (!tar.ok) {
      ctx.err(t(ctx.lang, 'sbTarFailed', { out, error: tar.error }));
      return EXIT.FAILED;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (ctx.json) ctx.out(JSON.stringify({ ok: true, path: out }));
  else ctx.out(t(ctx.lang, 'sbWritten', { path: out }));
  return EXIT.OK;
}

function exec(cmd: string, args: string[]): Promise<{ ok: true; stdout: string } | { ok: false; error: string; stdout: string }> {
  return new Promise((r) => {
    execFile(cmd, args, { timeout: 30_000, maxBuffer: 32 * 1024 * 1024 }, (err, stdout) => {
      if (err) r({ ok: false, error: err.message.split('\n')[0]!, stdout: String(stdout) });
      else r({ ok: true, stdout: String(stdout) });
    });
  });
}
