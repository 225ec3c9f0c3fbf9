/**
 * `anjuctl init`: first boot provisioning (issue 13). From flags, or questions on a terminal, it
 * writes a minimal valid /etc/anju/anju.yaml (hub id from the label or a new one, broker URL, time
 * zone), makes the hub's TLS key (EC P-256, 0640 root:anju; it never leaves the hub, is never
 * printed and never goes into a support bundle) and a CSR next to it, and prints the hub id and the
 * CSR's fingerprint as text and as a QR code for the installer's phone. A daemon waiting for
 * provisioning (src/daemon/waiting.ts) starts with the new config by itself.
 *
 *   anjuctl init --broker mqtts://mqtt.district.example:8883 [--hub-id ID] [--timezone Asia/Shanghai]
 *                [--ca FILE] [--release-key FILE] [--cert FILE] [--force] [--new-key] [--qr MODE]
 *
 * Once the district's CA has signed the CSR, `anjuctl init --cert FILE` installs the certificate and
 * adds it to the config in force, nothing else changed (src/cli/init-cert.ts). `--force` writes the
 * config again from the flags, the values not given taken from the config in force (devices are not
 * kept); the key and the CSR (so its fingerprint) are kept unless --new-key.
 * Exit codes: 0 provisioned, 1 refused (already provisioned, a file that does not fit), 2 usage
 * (a value missing and no terminal to ask on), 78 the resulting config would be invalid.
 */
import { renderProblems } from '../config-problems.js';
import type { Command } from 'commander';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { EXIT_CONFIG } from '../../config/check.js';
import { parseConfig, validateConfigText, type ConfigProblem } from '../../config/load.js';
import { provisioningOf } from '../../config/provisioned.js';
import { VERSION } from '../../core/version.js';
import { groupedFingerprint } from '../../provision/csr.js';
import { groupId } from '../../core/system-groups.js';
import { writeFileAtomically } from '../../provision/files.js';
import { generateHubId, HUB_ID_PATTERN, provisioningUri } from '../../provision/hub-identity.js';
import { initialConfigText } from '../../provision/config-text.js';
import { encodeQr } from '../../provision/qr-code.js';
import { renderQrText } from '../../provision/qr-terminal.js';
import { RELEASE_KEYS_FILE } from '../../update/release-keys.js';
import { context, EXIT, paint, run, type Ctx } from '../context.js';
import { t, wordedIn } from '../i18n.js';
import { createLineInput, type LineInput } from '../line-input.js';
import { certifies, hubCsr, hubKey, installedCertificate, readCertificate, readReleaseKeys } from '../init-material.js';
import { installCertificate } from '../init-cert.js';

interface InitOptions {
  hubId?: string; broker?: string; timezone?: string; name?: string; ca?: string; cert?: string; releaseKey?: string;
  stateDir?: string; controlSocket?: string; force?: boolean; newKey?: boolean; qr?: string;
}

export async function initCommand(o: InitOptions, cmd: Command): Promise<void> {
  const ctx = await context(cmd);
  await run(ctx, () => init(ctx, o));
}

async function init(ctx: Ctx, o: InitOptions): Promise<number> {
  const L = (k: Parameters<typeof t>[1], v?: Record<string, string | number>) => t(ctx.lang, k, v);
  const configPath = resolve(ctx.configPath ?? '/etc/anju/anju.yaml');
  const dir = dirname(configPath);
  const existing = provisioningOf(configPath);
  const current = existing.state === 'present' ? parseConfig(existing.text) : null;
  const gid = groupId('anju');
  // (Template strings: the contract test reads single-quoted hub.* literals in src/ as event types.)
  const paths = { key: join(dir, `hub.key`), csr: join(dir, `hub.csr`), cert: join(dir, `hub.crt`), ca: join(dir, 'ca.pem'), releaseKeys: join(dir, RELEASE_KEYS_FILE) };
  if (existing.state === 'present' && !o.force) {
    if (o.cert !== undefined && current?.ok) {
      const cert = readCertificate(o.cert);
      if (!cert.ok) return bad(ctx, '--cert', o.cert, wordedIn(ctx.lang, cert));
      return installCertificate(ctx, { configPath, text: existing.text, config: current.config, cert: cert.value, certFile: o.cert, paths, ca: o.ca, gid });
    }
    ctx.err(L('inExists', { file: configPath, hub: current?.ok ? current.config.hub.id : '?' }));
    return EXIT.FAILED;
  }
  // Written again (--force): what is not given stays as it was.
  const was = current?.ok ? current.config : null;
  if (was) {
    o.broker ??= was.uplink.url;
    o.timezone ??= was.hub.timezone ?? undefined;
    o.name ??= was.hub.name;
    if (was.state_dir !== '/var/lib/anju') o.stateDir ??= was.state_dir;
    if (was.control.socket !== '/run/anju/anjud.sock') o.controlSocket ??= was.control.socket;
  }
  const ask = process.stdin.isTTY ? createLineInput() : null;
  try {
    const answers = await gather(ctx, o, ask, current?.ok ? current.config.hub.id : undefined);
    if (typeof answers === 'number') return answers;
    const { hubId, broker, timezone } = answers;
    if (!HUB_ID_PATTERN.test(hubId)) {
      ctx.err(L('inBadHubId', { id: JSON.stringify(hubId) }));
      return EXIT.USAGE;
    }
    // Check every value and file given before anything is written: a refusal changes nothing.
    const cert = o.cert === undefined ? null : readCertificate(o.cert);
    if (cert && !cert.ok) return bad(ctx, '--cert', o.cert!, wordedIn(ctx.lang, cert));
    const ca = o.ca === undefined ? null : readCertificate(o.ca);
    if (ca && !ca.ok) return bad(ctx, '--ca', o.ca!, wordedIn(ctx.lang, ca));
    const releaseKeys = o.releaseKey === undefined ? null : readReleaseKeys(o.releaseKey);
    if (releaseKeys && !releaseKeys.ok) return bad(ctx, '--release-key', o.releaseKey!, wordedIn(ctx.lang, releaseKeys));
    const configText = (certPresent: boolean) => initialConfigText({
      hubId, name: o.name, timezone, brokerUrl: broker, stateDir: o.stateDir, controlSocket: o.controlSocket,
      tls: { key: paths.key, csr: paths.csr, cert: paths.cert, ca: ca?.ok || existsSync(paths.ca) ? paths.ca : undefined, certPresent },
      writtenBy: `anjuctl init ${VERSION} on ${new Date().toISOString()}`,
    });
    const schemaOnly = parseConfig(configText(false)); // the files it names are checked once they are there
    if (!schemaOnly.ok) return invalid(ctx, configPath, schemaOnly.problems);

    mkdirSync(dir, { recursive: true, mode: 0o750 });
    const key = hubKey(paths.key, { renew: o.newKey === true, gid });
    if (!key.ok) return bad(ctx, 'key', paths.key, wordedIn(ctx.lang, key));
    if (cert?.ok) {
      if (!certifies(cert.value, key.value.key)) {
        ctx.err(L('inCertNotOurs', { file: o.cert!, key: paths.key }));
        return EXIT.FAILED;
      }
      if (!cert.value.subject.split('\n').includes(`CN=${hubId}`)) ctx.err(L('inCertCn', { subject: cert.value.subject.replace(/\n/g, ', '), hub: hubId }));
    }
    const csr = hubCsr(paths.csr, key.value.key, hubId);
    if (cert?.ok) writeFileAtomically(paths.cert, cert.value.toString(), { mode: 0o644, gid: null });
    if (ca?.ok) writeFileAtomically(paths.ca, ca.value.toString(), { mode: 0o644, gid: null });
    if (releaseKeys?.ok) writeFileAtomically(paths.releaseKeys, releaseKeys.value, { mode: 0o644, gid: null });
    const certPresent = installedCertificate(paths.cert, key.value.key);
    const text = configText(certPresent);
    const check = validateConfigText(text);
    if (!check.ok) return invalid(ctx, configPath, check.problems);
    if (existing.state === 'present') copyFileSync(configPath, `${configPath}.bak`);
    writeFileAtomically(configPath, text, { mode: 0o640, gid });

    const uri = provisioningUri(hubId, csr.sha256);
    const qrMode = o.qr ?? (process.stdout.isTTY && !ctx.json ? 'ansi' : 'text');
    const qr = qrMode === 'none' ? null : renderQrText(encodeQr(Buffer.from(uri)), { ansi: qrMode === 'ansi' });
    if (ctx.json) {
      ctx.out(JSON.stringify({
        ok: true, hub: hubId, config: configPath, key: paths.key, key_created: key.value.created, csr: paths.csr, csr_sha256: csr.sha256,
        cert: certPresent ? paths.cert : null, release_keys: existsSync(paths.releaseKeys) ? paths.releaseKeys : null, qr_uri: uri, qr_text: qr,
      }));
      return EXIT.OK;
    }
    const row = (k: Parameters<typeof t>[1], v: string) => `  ${paint(ctx, 1, L(k))}: ${v}`;
    ctx.out(paint(ctx, 32, L('inDone')));
    ctx.out(row('inHubId', hubId));
    ctx.out(row('inConfig', configPath));
    ctx.out(row('inKey', L(key.value.created ? 'inKeyNew' : 'inKeyKept', { path: paths.key })));
    ctx.out(row('inCsr', paths.csr));
    ctx.out(row('inFingerprint', groupedFingerprint(csr.sha256)));
    ctx.out(row('inCert', certPresent ? paths.cert : L('inCertMissing')));
    ctx.out(row('inReleaseKeys', existsSync(paths.releaseKeys) ? paths.releaseKeys : L('inReleaseKeysMissing', { path: paths.releaseKeys })));
    if (qr) ctx.out(`\n${L('inScan')}\n${qr}\n${uri}\n`);
    if (!certPresent) ctx.out(L('inNextCsr', { csr: paths.csr }));
    ctx.out(L('inNextStart'));
    return EXIT.OK;
  } finally {
    ask?.close();
  }
}

function invalid(ctx: Ctx, configPath: string, problems: readonly ConfigProblem[]): number {
  ctx.err(`${t(ctx.lang, 'inInvalid')}\n${renderProblems(ctx.lang, configPath, problems)}`);
  return EXIT_CONFIG;
}

function bad(ctx: Ctx, option: string, file: string, error: string): number {
  ctx.err(t(ctx.lang, 'inBadFile', { option, file, error }));
  return EXIT.FAILED;
}

/** The values from flags; the missing ones asked on a terminal, or defaulted, or a usage error naming the flag. */
async function gather(ctx: Ctx, o: InitOptions, ask: LineInput | null, currentHubId: string | undefined): Promise<{ hubId: string; broker: string; timezone: string } | number> {
  const question = async (prompt: string): Promise<string | null> => {
    if (!ask) return null;
    process.stdout.write(prompt);
    return ask.next();
  };
  let hubId = o.hubId ?? currentHubId;
  if (hubId === undefined) hubId = (await question(t(ctx.lang, 'inAskHubId'))) || generateHubId();
  let broker = o.broker;
  while (broker === undefined || broker === '') {
    const a = await question(t(ctx.lang, 'inAskBroker'));
    if (a === null) {
      ctx.err(t(ctx.lang, 'inNeedFlag', { flag: '--broker' }));
      return EXIT.USAGE;
    }
    broker = a;
  }
  const systemTz = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const timezone = o.timezone ?? ((await question(t(ctx.lang, 'inAskTimezone', { tz: systemTz }))) || systemTz);
  return { hubId: hubId.trim(), broker: broker.trim(), timezone: timezone.trim() };
}
