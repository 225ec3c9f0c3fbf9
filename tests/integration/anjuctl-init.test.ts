/**
 * `anjuctl init` (issue 13, point 4), the real built CLI, checked with independent tools: openssl
 * verifies the CSR, zbarimg decodes the QR code it prints, `anjud --check-config` accepts the config,
 * and the whole path ends on a real Mosquitto that requires client certificates: init, the CA signs
 * the CSR, `anjuctl init --cert` installs it into the running daemon, and the hub reaches the broker.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANJUD, ROOT, spawnDaemon } from '../helpers/daemon-process.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { requireBinary } from '../helpers/peers.js';
import { makeTestPki, type TestPki } from '../helpers/tls.js';

const ANJUCTL = join(ROOT, 'dist/src/cli/anjuctl.js');
const openssl = requireBinary('openssl', 'openssl');
const zbarimg = requireBinary('zbarimg', 'zbar-tools');
const dir = mkdtempSync(join(tmpdir(), 'anju-init-'));
const cleanup: Array<() => unknown> = [];
let pki: TestPki;
beforeAll(() => {
  mkdirSync(join(dir, 'pki'));
  pki = makeTestPki(join(dir, 'pki'), 'unused');
});
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
  rmSync(dir, { recursive: true, force: true });
});

interface InitJson { ok: true; hub: string; config: string; key: string; key_created: boolean; csr: string; csr_sha256: string; cert: string | null; release_keys: string | null; qr_uri: string; qr_text: string }

const ctl = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [ANJUCTL, ...args], { encoding: 'utf8', env: { ...process.env, LANG: 'en_US.UTF-8', ...env }, timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
const initJson = (etc: string, ...args: string[]): InitJson => {
  const r = ctl(['--config', join(etc, 'anju.yaml'), '--json', 'init', '--qr', 'text', ...args]);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as InitJson;
};
const csrDer = (file: string): Buffer => execFileSync(openssl, ['req', '-in', file, '-outform', 'DER']);
/** The QR code from the terminal text, as an image, read by zbarimg. */
function scan(qrText: string): string {
  const rows: string[][] = [];
  for (const line of qrText.split('\n')) {
    const chars = [...line];
    rows.push(chars.map((c) => (c === '█' || c === '▀' ? '1' : '0')), chars.map((c) => (c === '█' || c === '▄' ? '1' : '0')));
  }
  const n = rows[0]!.length;
  const scale = (r: string[]) => r.flatMap((b) => [b, b, b]);
  const pixels = rows.slice(0, n).flatMap((r) => [scale(r), scale(r), scale(r)]);
  const file = join(dir, `qr-${Date.now()}.pbm`);
  writeFileSync(file, `P1\n${n * 3} ${n * 3}\n${pixels.map((r) => r.join(' ')).join('\n')}\n`);
  return execFileSync(zbarimg, ['--quiet', '--raw', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}
/** The CA signs the hub's CSR, as the district's would. */
function sign(csr: string, out: string, signer = pki): string {
  execFileSync(openssl, ['x509', '-req', '-in', csr, '-CA', signer.ca, '-CAkey', signer.ca.replace(/\.pem$/, '.key'), '-CAcreateserial', '-days', '2', '-out', out], { stdio: 'pipe' });
  return out;
}

describe('anjuctl init', () => {
  it('writes a valid config, a 0640 key that is never printed, a CSR openssl verifies, and a QR code of both', () => {
    const etc = join(dir, 'a');
    const r = initJson(etc, '--hub-id', 'hub-label-0042', '--broker', 'mqtts://mqtt.district.example:8883', '--timezone', 'Asia/Shanghai', '--state-dir', join(dir, 'a-state'));
    expect(r).toMatchObject({ hub: 'hub-label-0042', key_created: true, cert: null, release_keys: null });
    expect(statSync(r.key).mode & 0o777).toBe(0o640);
    expect(statSync(r.config).mode & 0o777).toBe(0o640);
    expect(statSync(r.csr).mode & 0o777).toBe(0o644);
    const keyBody = readFileSync(r.key, 'utf8').split('\n')[1]!;
    expect(JSON.stringify(r)).not.toContain(keyBody);
    const verify = spawnSync(openssl, ['req', '-in', r.csr, '-noout', '-verify', '-subject'], { encoding: 'utf8' });
    expect(verify.stderr.trim()).toBe('Certificate request self-signature verify OK');
    expect(verify.stdout).toMatch(/subject=CN\s?=\s?hub-label-0042/);
    expect(r.csr_sha256).toBe(createHash('sha256').update(csrDer(r.csr)).digest('hex'));
    expect(scan(r.qr_text)).toBe(`anju:provision?hub=hub-label-0042&csr_sha256=${r.csr_sha256}`);
    const check = spawnSync(process.execPath, [ANJUD, '--check-config', r.config], { encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
    expect(readFileSync(r.config, 'utf8')).toContain('timezone: "Asia/Shanghai"');
  });

  it('text output in English and Chinese; a generated hub id without --hub-id; --broker required without a terminal', () => {
    const en = ctl(['--config', join(dir, 'b', 'anju.yaml'), 'init', '--broker', 'mqtts://m.example:8883', '--qr', 'text']);
    expect(en.status, en.stderr).toBe(0);
    const id = /Hub id: (\S+)/.exec(en.stdout)?.[1];
    expect(id).toMatch(/^hub-[0-9A-HJKMNP-TV-Z]{10}$/);
    expect(en.stdout).toMatch(/CSR fingerprint \(SHA-256\): ([0-9a-f]{4} ){15}[0-9a-f]{4}\n/);
    expect(en.stdout).toContain('▀');
    expect(en.stdout).not.toContain('\u001b['); // plain text when asked (not a terminal here)
    const zh = ctl(['--config', join(dir, 'c', 'anju.yaml'), 'init', '--broker', 'mqtts://m.example:8883', '--qr', 'none'], { LANG: 'zh_CN.UTF-8' });
    expect(zh.status, zh.stderr).toBe(0);
    expect(zh.stdout).toContain('网关已初始化');
    expect(zh.stdout).toContain('CSR 指纹（SHA-256）');
    const missing = ctl(['--config', join(dir, 'd', 'anju.yaml'), 'init']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--broker is required');
    expect(existsSync(join(dir, 'd', 'anju.yaml'))).toBe(false);
    const badUrl = ctl(['--config', join(dir, 'd', 'anju.yaml'), 'init', '--broker', 'mqtt://192.0.2.7:1883', '--timezone', 'Mars/Olympus']);
    expect(badUrl.status).toBe(78);
    expect(badUrl.stderr).toContain('uplink.url: plain mqtt:// to 192.0.2.7 is not encrypted');
    expect(badUrl.stderr).toContain('hub.timezone');
    expect(existsSync(join(dir, 'd')), 'nothing written, not even the key').toBe(false);
  });

  it('asks on a terminal (a pty from socat), in Chinese too: Enter makes a hub id, the time zone has a default', async () => {
    const socat = requireBinary('socat', 'socat');
    const ask = (etc: string, lang: string, answers: Array<[RegExp, string]>) => new Promise<string>((resolve, reject) => {
      const cmd = `${process.execPath} ${ANJUCTL} --config ${join(etc, 'anju.yaml')} init --qr none`;
      const p = spawn(socat, ['-', `EXEC:${cmd},pty,setsid,ctty,stderr`], { env: { ...process.env, LANG: lang, TZ: 'Asia/Shanghai' } });
      let out = '';
      let next = 0;
      p.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        while (next < answers.length && answers[next]![0].test(out)) p.stdin.write(`${answers[next++]![1]}\n`);
      });
      p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${String(code)}: ${out}`))));
      setTimeout(() => { p.kill(); reject(new Error(`no answer: ${out}`)); }, 20_000).unref();
    });
    const en = await ask(join(dir, 'tty-en'), 'en_US.UTF-8', [[/Hub id, as on the label/, ''], [/Broker URL of the district/, 'mqtts://m.example:8883'], [/Time zone of the home \[Asia\/Shanghai\]/, '']]);
    expect(en).toContain('Hub provisioned');
    const text = readFileSync(join(dir, 'tty-en', 'anju.yaml'), 'utf8');
    expect(text).toMatch(/id: "hub-[0-9A-HJKMNP-TV-Z]{10}"/);
    expect(text).toContain('url: "mqtts://m.example:8883"');
    expect(text).toContain('timezone: "Asia/Shanghai"');
    const zh = await ask(join(dir, 'tty-zh'), 'zh_CN.UTF-8', [[/网关 ID，按标签填写/, 'hub-label-7'], [/区级服务器地址/, 'mqtts://m.example:8883'], [/家庭所在时区/, 'Europe/Berlin']]);
    expect(zh).toContain('网关已初始化');
    expect(readFileSync(join(dir, 'tty-zh', 'anju.yaml'), 'utf8')).toMatch(/id: "hub-label-7"[\s\S]*timezone: "Europe\/Berlin"/);
  });

  it('again: refused without --force; with --force the key, the CSR (fingerprint) and the hub id stay', () => {
    const etc = join(dir, 'e');
    const first = initJson(etc, '--broker', 'mqtts://m.example:8883');
    const key = readFileSync(first.key, 'utf8');
    const again = ctl(['--config', first.config, 'init', '--broker', 'mqtts://other.example:8883']);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain(`exists already (hub ${first.hub})`);
    expect(readFileSync(first.config, 'utf8')).toContain('m.example');
    const forced = initJson(etc, '--force', '--timezone', 'Europe/Berlin');
    expect(forced).toMatchObject({ hub: first.hub, key_created: false, csr_sha256: first.csr_sha256 });
    expect(readFileSync(first.key, 'utf8')).toBe(key);
    expect(readFileSync(`${first.config}.bak`, 'utf8')).not.toContain('Europe/Berlin');
    expect(readFileSync(first.config, 'utf8')).toContain('Europe/Berlin');
    expect(readFileSync(first.config, 'utf8')).toContain('m.example'); // the broker of the config in force
  });

  it('--release-key: an Ed25519 public key is installed; anything else is refused and nothing is written', () => {
    const etc = join(dir, 'f');
    const rsa = join(dir, 'rsa.pub');
    writeFileSync(rsa, generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }));
    const refused = ctl(['--config', join(etc, 'anju.yaml'), 'init', '--broker', 'mqtts://m.example:8883', '--release-key', rsa]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('key 1 is rsa, expected an Ed25519 public key');
    expect(existsSync(etc) && readdirSync(etc).length > 0, 'nothing written, not even the key').toBe(false);
    const ed = join(dir, 'release.pub');
    writeFileSync(ed, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));
    const r = initJson(etc, '--broker', 'mqtts://m.example:8883', '--release-key', ed);
    expect(r.release_keys).toBe(join(etc, 'release-keys.pem'));
    expect(readFileSync(r.release_keys!, 'utf8')).toBe(readFileSync(ed, 'utf8'));
  });

  it('the key never goes into a support bundle', () => {
    const etc = join(dir, 'g');
    const r = initJson(etc, '--broker', 'mqtts://m.example:8883', '--state-dir', join(dir, 'g-state'), '--control-socket', join(dir, 'g.sock'));
    const out = join(dir, 'bundle.tar.gz');
    const b = ctl(['--config', r.config, 'support-bundle', '--out', out]);
    expect(b.status, b.stderr).toBe(0);
    const content = execFileSync('tar', ['-xzOf', out], { encoding: 'latin1' });
    expect(content).toContain(r.hub);
    const keyLines = readFileSync(r.key, 'utf8').split('\n').filter((l) => l && !l.startsWith('-----'));
    for (const l of keyLines) expect(content).not.toContain(l);
  });

  it('end to end with mutual TLS: init, the CA signs the CSR, --cert into the running daemon, the hub reaches the broker', async () => {
    const broker = await startMosquitto({ listenerConf: `cafile ${pki.ca}\ncertfile ${pki.serverCert}\nkeyfile ${pki.serverKey}\nrequire_certificate true\nuse_identity_as_username true` });
    cleanup.push(() => broker.stop());
    const etc = join(dir, 'h');
    const socket = join(dir, 'h.sock');
    const r = initJson(etc, '--hub-id', 'hub-mtls', '--broker', `mqtts://127.0.0.1:${broker.port}`, '--ca', pki.ca, '--state-dir', join(dir, 'h-state'), '--control-socket', socket);
    expect(readFileSync(r.config, 'utf8')).toContain(`ca: "${join(etc, 'ca.pem')}"`);
    // Before the certificate: the hub runs (it would keep alarms) but the broker refuses it.
    const daemon = spawnDaemon(['--config', r.config]);
    cleanup.push(() => daemon.proc.kill('SIGKILL'));
    await daemon.waitForLog('refused without a certificate', (l) => l.msg === 'uplink error' || l.msg === 'reconnecting', 20_000);
    expect(daemon.logs.some((l) => l.msg === 'uplink connected')).toBe(false);
    // A certificate for another key is refused, and nothing changes.
    const other = join(dir, 'other.csr');
    execFileSync(openssl, ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'other.key'), '-subj', '/CN=hub-mtls', '-out', other], { stdio: 'pipe' });
    const wrong = ctl(['--config', r.config, '--socket', socket, 'init', '--cert', sign(other, join(dir, 'other.crt'))]);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain('is not for this hub\'s key');
    expect(existsSync(join(etc, 'hub.crt'))).toBe(false);
    // The right one: installed through set-config, verified against the broker, applied.
    const installed = ctl(['--config', r.config, '--socket', socket, 'init', '--cert', sign(r.csr, join(dir, 'hub.crt'))]);
    expect(installed.status, `${installed.stdout}\n${installed.stderr}`).toBe(0);
    expect(installed.stdout).toContain('applied');
    await daemon.waitForLog('connected with its certificate', (l) => l.msg === 'uplink connected', 30_000);
    const text = readFileSync(r.config, 'utf8');
    expect(text).toContain(`cert: ${join(etc, 'hub.crt')}`);
    expect(text).toContain(`key: ${join(etc, 'hub.key')}`);
    expect(text).toContain('hub-mtls');
  });
});
