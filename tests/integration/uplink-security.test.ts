/**
 * Uplink security with real peers: mutual TLS against a Mosquitto that requires client
 * certificates (made here with openssl), a wrong CA refused, username + password_file against a
 * broker with a password file, and the secret never in the logs.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnDaemon, testConfig } from '../helpers/daemon-process.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { requireBinary } from '../helpers/peers.js';
import { createPtyPair, type PtyPair } from '../helpers/pty.js';
import { makeTestPki, type TestPki } from '../helpers/tls.js';
import { sleep } from '../helpers/wait.js';

describe('uplink security', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-sec-'));
  let pki: TestPki;
  let pty: PtyPair;
  const cleanup: Array<() => unknown> = [];
  beforeAll(async () => {
    pki = makeTestPki(dir, 'hub-tls');
    pty = await createPtyPair(dir);
    cleanup.push(() => pty.unplug());
  });
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  async function tlsBroker(): Promise<Mosquitto> {
    const b = await startMosquitto({ listenerConf: `cafile ${pki.ca}\ncertfile ${pki.serverCert}\nkeyfile ${pki.serverKey}\nrequire_certificate true\nuse_identity_as_username true` });
    cleanup.push(() => b.stop());
    return b;
  }

  const config = (name: string, url: string, uplinkExtra: string) => {
    const f = join(dir, `${name}.yaml`);
    writeFileSync(f, testConfig({ hubId: 'hub-tls', stateDir: join(dir, `state-${name}`), brokerUrl: url, devices: [{ id: 'r', path: pty.devicePath }], uplinkExtra }));
    return f;
  };

  it('connects with mutual TLS using the right CA and client certificate', async () => {
    const b = await tlsBroker();
    const d = spawnDaemon(['--config', config('mtls', `mqtts://127.0.0.1:${b.port}`, `tls: { ca: "${pki.ca}", cert: "${pki.clientCert}", key: "${pki.clientKey}" }`)]);
    cleanup.push(() => d.proc.kill('SIGKILL'));
    await d.waitForLog('uplink connected over TLS', (l) => l.msg === 'uplink connected');
    d.proc.kill('SIGTERM');
    expect((await d.exited).code).toBe(0);
  });

  it('refuses a broker whose certificate is not signed by the configured CA, and keeps running', async () => {
    const b = await tlsBroker();
    const d = spawnDaemon(['--config', config('wrong-ca', `mqtts://127.0.0.1:${b.port}`, `tls: { ca: "${pki.otherCa}", cert: "${pki.clientCert}", key: "${pki.clientKey}" }`)]);
    cleanup.push(() => d.proc.kill('SIGKILL'));
    const err = await d.waitForLog('a TLS verification error', (l) => l.msg === 'uplink error');
    expect(String(err.err)).toMatch(/certificate|self[- ]signed|unable to verify/i);
    await sleep(1500); // it retries with backoff; it never connects and never crashes
    expect(d.logs.some((l) => l.msg === 'uplink connected')).toBe(false);
    expect(d.proc.exitCode).toBeNull();
  });

  it('is refused by a broker that requires a client certificate when it has none', async () => {
    const b = await tlsBroker();
    const d = spawnDaemon(['--config', config('no-cert', `mqtts://127.0.0.1:${b.port}`, `tls: { ca: "${pki.ca}" }`)]);
    cleanup.push(() => d.proc.kill('SIGKILL'));
    await d.waitForLog('a connection error', (l) => l.msg === 'uplink error' || l.msg === 'reconnecting', 15_000);
    await sleep(1000);
    expect(d.logs.some((l) => l.msg === 'uplink connected')).toBe(false);
  });

  it('logs in with username and password_file, and the password never appears in the logs', async () => {
    const passwd = requireBinary('mosquitto_passwd', 'mosquitto');
    const secret = 'S3cret-never-logged-42';
    const pwFile = join(dir, 'broker.passwd');
    writeFileSync(pwFile, '');
    execFileSync(passwd, ['-b', pwFile, 'hub-pw', secret]);
    const b = await startMosquitto({ globalConf: `allow_anonymous false\npassword_file ${pwFile}` });
    cleanup.push(() => b.stop());
    const hubPw = join(dir, 'hub.password');
    writeFileSync(hubPw, `${secret}\n`);
    const d = spawnDaemon(['--config', config('pw', b.url, `username: hub-pw, password_file: "${hubPw}"`)]);
    cleanup.push(() => d.proc.kill('SIGKILL'));
    await d.waitForLog('uplink connected with a password', (l) => l.msg === 'uplink connected');
    d.proc.kill('SIGTERM');
    await d.exited;
    expect(JSON.stringify(d.logs) + d.stderr()).not.toContain(secret);

    const wrong = join(dir, 'wrong.password');
    writeFileSync(wrong, 'not-the-password\n');
    const d2 = spawnDaemon(['--config', config('pw-wrong', b.url, `username: hub-pw, password_file: "${wrong}"`)]);
    cleanup.push(() => d2.proc.kill('SIGKILL'));
    await d2.waitForLog('refused login', (l) => l.msg === 'uplink error');
    expect(d2.logs.some((l) => l.msg === 'uplink connected')).toBe(false);
    expect(JSON.stringify(d2.logs)).not.toContain('not-the-password');
  });
});
