/**
 * Parsing bounds of the config (issue 12, findings 6 and 8): YAML alias trouble is a problem with a
 * line and column, never an exception; broker URLs are judged on the parsed URL, the one the MQTT
 * client is then given.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { MAX_ALIASES } from '../../../src/config/parse-yaml.js';
import { brokerConnectOptions, parseBrokerUrl } from '../../../src/core/broker-url.js';

const MINIMAL = 'hub: { id: h1 }\nuplink: { url: "mqtt://127.0.0.1:1883" }\n';

function problems(text: string) {
  const r = parseConfig(text);
  if (r.ok) throw new Error('expected the config to be rejected');
  return r.problems;
}

describe('YAML aliases', () => {
  it('an alias without an anchor before it is a problem at the alias', () => {
    expect(problems('hub: { id: *a }\nuplink: { url: "mqtt://127.0.0.1:1" }\n')).toEqual([
      { path: '', message: 'YAML alias *a has no anchor &a before it', expected: 'an anchor defined earlier in the file', found: 'none', line: 1, col: 12, code: 'ANJU_CFG_YAML_NO_ANCHOR', params: { name: 'a' } },
    ]);
    // The anchor after the alias does not count (YAML resolves aliases backwards only).
    expect(problems('hub: { id: *a }\nx: &a h1\n')[0]).toMatchObject({ message: 'YAML alias *a has no anchor &a before it', line: 1 });
  });

  it('a billion laughs is refused at its first alias, not expanded', () => {
    const laughs = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`)].join('\n');
    const [p, ...rest] = problems(`${MINIMAL}${laughs}\n`);
    expect(rest).toEqual([]);
    expect(p).toMatchObject({ message: 'YAML aliases: Excessive alias count indicates a resource exhaustion attack', line: 4, col: 8 });
  });

  it(`more than ${MAX_ALIASES} aliases are refused before they are resolved`, () => {
    const many = Array.from({ length: MAX_ALIASES + 1 }, (_, i) => `  - &s${i} x\n  - *s${i}`).join('\n');
    const ps = problems(`${MINIMAL}list:\n${many}\n`);
    expect(ps).toHaveLength(1);
    expect(ps[0]).toMatchObject({ message: `YAML aliases: more than ${MAX_ALIASES} in one config`, line: 3 + 2 * MAX_ALIASES + 2 });
  });

  it('anchors and aliases used sensibly still work', () => {
    const r = parseConfig(`${MINIMAL}detectors:\n  breathing_rate: &br { sustain_s: 30 }\n  apnea: { enabled: true }\n`);
    expect(r.ok).toBe(true);
    const shared = parseConfig('hub: { id: &id h1 }\nuplink: { url: "mqtt://127.0.0.1:1", client_id: *id }\n');
    expect(shared.ok && shared.config.uplink.client_id).toBe('h1');
  });

  it('a key twice in one mapping is a problem at the second one; thousands of problems are capped', () => {
    expect(problems('hub: { id: h1, id: h2 }\nuplink: { url: "mqtt://127.0.0.1:1" }\n')).toEqual([
      { path: '', message: 'YAML syntax: key "id" appears twice in one mapping', expected: 'each key once', line: 1, col: 16, code: 'ANJU_CFG_YAML_KEY_TWICE', params: { key: '"id"' } },
    ]);
    const devices = Array.from({ length: 500 }, () => '  - { id: same, model: seeed-mr60bha1, room: r, serial: { path: /dev/x } }').join('\n');
    const ps = problems(`${MINIMAL}devices:\n${devices}\n`);
    expect(ps).toHaveLength(21);
    expect(ps[20]!.message).toBe('479 more problem(s) not listed');
  });

  it('a self-referencing anchor and thousands of syntax errors are bounded problems, not a crash', () => {
    expect(problems('hub: &h { id: h1, self: *h }\nuplink: { url: "mqtt://127.0.0.1:1" }\n')[0]).toMatchObject({ path: 'hub.self', message: 'unknown key' });
    const deep = problems('['.repeat(100_000));
    expect(deep.length).toBeLessThanOrEqual(21);
    expect(deep.at(-1)!.message).toMatch(/more problem\(s\) not listed$/);
    expect(deep[0]).toMatchObject({ line: 1 });
  });
});

describe('broker URLs', () => {
  const ok = (url: string) => {
    const r = parseBrokerUrl(url);
    if (!r.ok) throw new Error(`${url}: ${r.problem}`);
    return r.endpoint;
  };
  const refused = (url: string) => {
    const r = parseBrokerUrl(url);
    if (r.ok) throw new Error(`${url} was accepted as ${JSON.stringify(r.endpoint)}`);
    return r.problem;
  };

  it('gives the endpoint the client connects to, with default ports', () => {
    expect(ok('mqtts://broker.example.org')).toEqual({ protocol: 'mqtts', host: 'broker.example.org', port: 8883, path: undefined, encrypted: true, loopback: false });
    expect(ok('mqtt://127.0.0.1:1883/')).toMatchObject({ host: '127.0.0.1', port: 1883, loopback: true, encrypted: false });
    expect(ok('mqtt://[::1]:1')).toMatchObject({ host: '::1', loopback: true });
    expect(ok('mqtt://LocalHost')).toMatchObject({ port: 1883, loopback: true });
    expect(ok('wss://broker.example.org/mqtt')).toMatchObject({ port: 443, path: '/mqtt', encrypted: true });
    expect(brokerConnectOptions('ws://[::1]:8080/mqtt')).toEqual({ protocol: 'ws', host: '::1', hostname: '[::1]', port: 8080, path: '/mqtt' });
    expect(brokerConnectOptions('mqtt://10.0.0.5:1884')).toEqual({ protocol: 'mqtt', host: '10.0.0.5', hostname: '10.0.0.5', port: 1884 });
  });

  it('is loopback only for localhost, 127.0.0.0/8 and ::1, however the host is spelt', () => {
    for (const url of ['mqtt://0.0.0.0:1', 'mqtt://0x7f.1:1', 'mqtt://127.0.0.999:1', 'mqtt://127.0.0.1.example.org:1', 'mqtt://[::ffff:127.0.0.1]:1', 'mqtt://localhost.:1']) {
      expect(ok(url).loopback, url).toBe(false);
    }
  });

  it('refuses what would let the client and the check disagree: user info, a query, a fragment, a backslash', () => {
    expect(refused('mqtt://192.0.2.2:41884?x=@localhost')).toMatch(/^no query/);
    expect(refused('mqtt://192.0.2.2:41884?x=localhost')).toMatch(/^no query/);
    expect(refused('mqtt://192.0.2.2:41884#@127.0.0.1')).toMatch(/^no fragment/);
    expect(refused('mqtt://192.0.2.2:41884#x')).toMatch(/^no fragment/);
    expect(refused('mqtts://user:secret@broker.example.org')).toMatch(/^no user info/);
    expect(refused('mqtt://localhost\\@192.0.2.2')).toMatch(/backslash/);
    expect(refused('mqtt://local host')).toMatch(/spaces/);
  });

  it('refuses other schemes, no host, port 0 or out of range, a path on mqtt://, odd host characters', () => {
    expect(refused('http://broker.example.org')).toMatch(/scheme mqtt, mqtts, ws or wss \(found http\)/);
    expect(refused('constructor://x')).toMatch(/found constructor/);
    expect(refused('mqtt:broker')).toMatch(/scheme and a host/);
    expect(refused('mqtt://')).toMatch(/host name/);
    expect(refused('mqtt://h:0')).toMatch(/port/);
    expect(refused('mqtt://h:65536')).toMatch(/port/);
    expect(refused('mqtt://h/topic')).toMatch(/no path/);
    expect(refused('mqtt://h%41st')).toMatch(/host name/);
  });

  it('the config check refuses the bypasses of the insecure guard, with the key path', () => {
    for (const url of ['mqtt://192.0.2.2:41884?x=@localhost', 'mqtt://192.0.2.2:41884#@127.0.0.1']) {
      const [p] = problems(`hub: { id: h1 }\nuplink: { url: "${url}" }\n`);
      expect(p).toMatchObject({ path: 'uplink.url', line: 2 });
    }
    const [plain] = problems('hub: { id: h1 }\nuplink: { url: "mqtt://0.0.0.0:1883" }\n');
    expect(plain!.message).toBe('plain mqtt:// to 0.0.0.0 is not encrypted: use mqtts:// (or wss://), or set uplink.insecure: true');
    expect(problems(`${MINIMAL}zigbee2mqtt: { url: "mqtt://h?clientId=x" }\n`)[0]).toMatchObject({ path: 'zigbee2mqtt.url' });
  });
});
