import { renderProblems } from './config-problems.js';
import { existsSync, readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { validateConfigText } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { writeFileAtomically } from '../provision/files.js';
import { ControlError, request } from './client.js';
import { EXIT, type Ctx } from './context.js';
import { t, wordedIn } from './i18n.js';
import { certifies, hubKey } from './init-material.js';
import { sendConfig } from './commands/config.js';
import { EXIT_CONFIG } from '../config/check.js';
import type { X509Certificate } from 'node:crypto';

/**
 * `anjuctl init --cert FILE` on a provisioned hub: the district's CA has signed the CSR; install the
 * certificate next to the key and add `uplink.tls.cert` and `key` to the config in force, changing
 * nothing else (devices added since are kept). When anjud runs, the new config goes through
 * set-config, so a certificate the broker refuses is rolled back by itself (uplink.apply_verify_s)
 * and the hub keeps what it had; otherwise the file is written and anjud uses it at its next start.
 */
export async function installCertificate(ctx: Ctx, o: {
  configPath: string; text: string; config: Readonly<Config>; cert: X509Certificate; certFile: string;
  paths: { key: string; cert: string; ca: string }; ca: string | undefined; gid: number | null;
}): Promise<number> {
  const L = (k: Parameters<typeof t>[1], v?: Record<string, string | number>) => t(ctx.lang, k, v);
  if (!existsSync(o.paths.key)) {
    ctx.err(L('inNoKey', { key: o.paths.key }));
    return EXIT.FAILED;
  }
  const key = hubKey(o.paths.key, { renew: false, gid: o.gid });
  if (!key.ok) {
    ctx.err(t(ctx.lang, 'inBadFile', { option: 'key', file: o.paths.key, error: wordedIn(ctx.lang, key) }));
    return EXIT.FAILED;
  }
  if (!certifies(o.cert, key.value.key)) {
    ctx.err(L('inCertNotOurs', { file: o.certFile, key: o.paths.key }));
    return EXIT.FAILED;
  }
  if (!o.cert.subject.split('\n').includes(`CN=${o.config.hub.id}`)) ctx.err(L('inCertCn', { subject: o.cert.subject.replace(/\n/g, ', '), hub: o.config.hub.id }));
  writeFileAtomically(o.paths.cert, o.cert.toString(), { mode: 0o644, gid: null });
  if (o.ca !== undefined) writeFileAtomically(o.paths.ca, readFileSync(o.ca), { mode: 0o644, gid: null });

  const doc = parseDocument(o.text);
  doc.setIn(['uplink', 'tls', 'cert'], o.paths.cert);
  doc.setIn(['uplink', 'tls', 'key'], o.paths.key);
  if (o.ca !== undefined) doc.setIn(['uplink', 'tls', 'ca'], o.paths.ca);
  const text = doc.toString();
  const check = validateConfigText(text);
  if (!check.ok) {
    ctx.err(`${L('inInvalid')}\n${renderProblems(ctx.lang, o.configPath, check.problems)}`);
    return EXIT_CONFIG;
  }
  if (await daemonAnswers(ctx.socket)) {
    ctx.out(L('inCertApplying', { cert: o.paths.cert }));
    return sendConfig(ctx, text, 30, { cert: o.paths.cert });
  }
  writeFileAtomically(o.configPath, text, { mode: 0o640, gid: o.gid });
  if (ctx.json) ctx.out(JSON.stringify({ ok: true, hub: o.config.hub.id, config: o.configPath, cert: o.paths.cert, outcome: 'written' }));
  else ctx.out(L('inCertWritten', { cert: o.paths.cert, file: o.configPath }));
  return EXIT.OK;
}

/** anjud runs a config (not waiting for provisioning), so it can take a set-config. */
async function daemonAnswers(socket: string): Promise<boolean> {
  try {
    const r = await request(socket, 'get-status', {}, 5000);
    return r.ok; // a daemon waiting for provisioning answers ANJU_CMD_NOT_READY (client.ts)
  } catch (err) {
    if (err instanceof ControlError) return false;
    throw err;
  }
}
