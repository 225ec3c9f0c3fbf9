/**
 * What a config from the cloud may change (src/config/remote-policy.ts; issue 12, findings 3 and 4),
 * judged against the config in force, on real files: the config directory, a secret outside it, a
 * database where a socket could be pointed, a symlink out of the config directory.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig, validateRemoteConfigText } from '../../../src/config/load.js';
import type { ConfigProblem } from '../../../src/config/result.js';

const dir = mkdtempSync(join(tmpdir(), 'anju-policy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const etc = join(dir, 'etc');
const state = join(dir, 'state');
const run = join(dir, 'run');
for (const d of [etc, state, run]) mkdirSync(d);
const configPath = join(etc, 'anju.yaml');
const inEtc = join(etc, 'mqtt-password');
const inEtc2 = join(etc, 'other-password');
const outside = join(dir, 'shadow');
const sneaky = join(etc, 'looks-local');
for (const f of [inEtc, inEtc2, outside]) writeFileSync(f, 'secret\n');
writeFileSync(configPath, '# the config in force\n');
symlinkSync(outside, sneaky);
writeFileSync(join(state, 'anju.db'), 'SQLite format 3\0');

const config = (o: { uplink?: string; extra?: string; policy?: boolean } = {}) => `hub: { id: h1 }
state_dir: "${state}"
control: { socket: "${state}/anjud.sock" }
uplink: { url: "mqtts://broker.example.org:8883", username: hub, password_file: "${inEtc}"${o.uplink ?? ''} }
${o.policy ? 'remote_config: { allow_security_changes: true }\n' : ''}${o.extra ?? ''}`;

function judge(currentText: string, nextText: string): ConfigProblem[] {
  const cur = parseConfig(currentText);
  if (!cur.ok) throw new Error(JSON.stringify(cur.problems));
  const r = validateRemoteConfigText(nextText, { current: cur.config, configPath, runtimeDirs: [run] });
  return r.ok ? [] : r.problems;
}
const paths = (ps: ConfigProblem[]) => ps.map((p) => `${p.path}: ${p.message}`);

describe('remote config policy', () => {
  it('accepts the config in force and harmless changes (thresholds, devices, log level)', () => {
    expect(judge(config(), config())).toEqual([]);
    expect(judge(config(), config({ extra: 'log: { level: warn }\nstore: { quota_mb: 64 }\n' }))).toEqual([]);
  });

  it('the local policy itself cannot be changed remotely, in either direction', () => {
    expect(paths(judge(config(), config({ policy: true })))).toEqual(['remote_config: a remote config cannot change the local policy']);
    expect(paths(judge(config({ policy: true }), config()))).toEqual(['remote_config: a remote config cannot change the local policy']);
  });

  it('refuses a new secret file, and does not even probe it', () => {
    const ps = judge(config(), config().replace(inEtc, join(dir, 'no-such-file')));
    expect(ps).toEqual([expect.objectContaining({ path: 'uplink.password_file', message: 'a remote config cannot change where secrets are read from', line: 4 })]);
    expect(ps[0]!.expected).toContain('remote_config.allow_security_changes is false');
    expect(JSON.stringify(ps)).not.toContain('ENOENT');
    for (const [key, value] of [['tls', '{ ca: "x.pem" }'], ['password', 'pw']]) {
      const next = key === 'password' ? config().replace(`password_file: "${inEtc}"`, 'password: pw') : config({ uplink: `, ${key}: ${value}` });
      expect(judge(config(), next).map((p) => p.path)).toEqual([key === 'password' ? 'uplink.password_file' : 'uplink.tls.ca']);
    }
    const z2m = (pw: string) => config({ extra: `zigbee2mqtt: { username: z, password_file: "${pw}" }\n` });
    expect(paths(judge(z2m(inEtc), z2m(inEtc2)))).toEqual(['zigbee2mqtt.password_file: a remote config cannot change where secrets are read from']);
  });

  it('with allow_security_changes, secret files still only from the config directory, symlinks resolved', () => {
    const on = config({ policy: true });
    expect(judge(on, on.replace(inEtc, inEtc2))).toEqual([]);
    expect(paths(judge(on, on.replace(inEtc, outside)))).toEqual(['uplink.password_file: a secret file named by a remote config must be in the config directory']);
    expect(paths(judge(on, on.replace(inEtc, sneaky)))).toEqual(['uplink.password_file: a secret file named by a remote config must be in the config directory']);
    expect(paths(judge(on, on.replace(inEtc, `${etc}/../shadow`)))).toEqual(['uplink.password_file: a secret file named by a remote config must be in the config directory']);
  });

  it('refuses lowering security: insecure, certificate checks, the socket group, mqtts to mqtt', () => {
    expect(paths(judge(config(), config({ uplink: ', insecure: true' })))).toEqual(['uplink.insecure: a remote config cannot allow plain text to other hosts']);
    expect(paths(judge(config(), config({ uplink: ', tls: { reject_unauthorized: false }' })))).toEqual(['uplink.tls.reject_unauthorized: a remote config cannot turn off broker certificate checks']);
    expect(paths(judge(config(), config().replace(`anjud.sock" }`, 'anjud.sock", group: users }')))).toEqual(['control.group: a remote config cannot change who may command the hub on site']);
    expect(paths(judge(config(), config().replace('mqtts://broker.example.org:8883', 'mqtt://127.0.0.1:1883')))).toEqual(['uplink.url: a remote config cannot switch the broker connection to plain text']);
    const z2m = (url: string) => config({ extra: `zigbee2mqtt: { url: "${url}" }\n` });
    expect(paths(judge(z2m('mqtts://z.local:8883'), z2m('mqtt://127.0.0.1:1883')))).toEqual(['zigbee2mqtt.url: a remote config cannot switch the broker connection to plain text']);
    // raising it is fine
    expect(judge(config({ uplink: ', tls: { reject_unauthorized: false }' }), config())).toEqual([]);
  });

  it('refuses credentials in plain text to a new host, even where plain text is allowed', () => {
    const plain = (host: string) => config({ uplink: ', insecure: true' }).replace('mqtts://broker.example.org:8883', `mqtt://${host}:1883`);
    expect(judge(plain('10.0.0.1'), plain('10.0.0.1'))).toEqual([]);
    expect(judge(plain('10.0.0.1'), plain('127.0.0.1'))).toEqual([]); // loopback never leaves the hub
    expect(paths(judge(plain('10.0.0.1'), plain('203.0.113.9')))).toEqual(['uplink.url: a remote config cannot send credentials in plain text to a new host']);
    const z2m = (url: string) => config({ extra: `zigbee2mqtt: { url: "${url}", username: z }\n` });
    expect(paths(judge(z2m('mqtt://127.0.0.1:1883'), z2m('mqtt://203.0.113.9:1883')))).toEqual(['zigbee2mqtt.url: a remote config cannot send credentials in plain text to a new host']);
    expect(judge(config(), config().replace('broker.example.org', 'other.example.org'))).toEqual([]); // TLS-verified: allowed
  });

  it('the control socket: never onto an existing file, only *.sock in its directory or the runtime directory', () => {
    const sock = (p: string) => config().replace(`socket: "${state}/anjud.sock"`, `socket: "${p}"`);
    expect(judge(config(), sock(join(state, 'other.sock')))).toEqual([]);
    expect(judge(config(), sock(join(run, 'anjud.sock')))).toEqual([]);
    const onDb = judge(config(), sock(join(state, 'anju.db')));
    expect(onDb).toEqual([expect.objectContaining({ path: 'control.socket', message: 'a remote config cannot put the control socket on an existing file: it is a regular file, not a socket', line: 3 })]);
    expect(paths(judge(config(), sock(configPath)))).toEqual(['control.socket: a remote config cannot put the control socket on an existing file: it is a regular file, not a socket']);
    expect(paths(judge(config(), sock(etc)))).toEqual(['control.socket: a remote config cannot put the control socket on an existing file: it is a directory, not a socket']);
    for (const p of [join(state, 'anju.db-wal'), join(etc, 'x.sock'), join(dir, 'x.sock'), `${state}/../etc/x.sock`]) {
      expect(paths(judge(config(), sock(p))), p).toEqual(['control.socket: a remote config may move the control socket only to a *.sock file in its directory or the runtime directory']);
    }
    // Even a hub that allows security changes: the socket rule is about files, not policy.
    expect(judge(config({ policy: true }), config({ policy: true }).replace(`${state}/anjud.sock`, join(state, 'anju.db'))).map((p) => p.path)).toEqual(['control.socket']);
  });
});
