import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig, formatProblems, loadConfigFile } from '../../../src/config/load.js';
import { configJsonSchema } from '../../../src/config/schema.js';

const root = join(import.meta.dirname, '../../..');
const MINIMAL = `hub: { id: h1 }
uplink: { url: "mqtt://127.0.0.1:1883" }
`;

function problems(text: string) {
  const r = parseConfig(text);
  if (r.ok) throw new Error('expected the config to be rejected');
  return r.problems;
}

describe('config validation', () => {
  it('accepts a minimal config and fills every default', () => {
    const r = parseConfig(MINIMAL);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.state_dir).toBe('/var/lib/anju');
    expect(r.config.uplink.protocol_version).toBe(5);
    expect(r.config.uplink.tls.reject_unauthorized).toBe(true);
    expect(r.config.detectors.breathing_rate).toMatchObject({ low_per_min: 8, high_per_min: 25, sustain_s: 60, severity: 'critical' });
    expect(Object.isFrozen(r.config.detectors.breathing_rate)).toBe(true);
  });

  it('rejects an unknown key, naming its path and the keys that exist', () => {
    const [p, ...rest] = problems(`${MINIMAL}detectors:\n  breathing_rate:\n    sustian_s: 30\n`);
    expect(rest).toEqual([]);
    expect(p).toMatchObject({ path: 'detectors.breathing_rate.sustian_s', message: 'unknown key', line: 5, col: 5 });
    expect(p!.expected).toContain('sustain_s');
  });

  it('rejects a device without a serial path: devices[1].serial.path: required', () => {
    const text = `${MINIMAL}devices:
  - { id: a, model: seeed-mr60bha1, room: bedroom, serial: { path: /dev/ttyUSB0 } }
  - id: b
    model: seeed-mr60bha1
    room: hall
    serial: { baudRate: 115200 }
`;
    const ps = problems(text);
    expect(ps).toHaveLength(1);
    expect(formatProblems('anju.yaml', ps)).toBe('anju.yaml:8:5: devices[1].serial.path: required (expected string, found nothing)');
  });

  it('rejects a wrong type with what was expected and what was found', () => {
    const [p] = problems(`hub: { id: h1 }\nuplink: { url: "mqtt://127.0.0.1:1", keepalive_s: "thirty" }\n`);
    expect(p).toMatchObject({ path: 'uplink.keepalive_s', message: 'wrong type', expected: 'number', found: 'string "thirty"' });
  });

  it('reports every problem at once, not just the first', () => {
    const ps = problems(`hub: { id: "bad id/with+topic" }\nuplink: { url: "http://x" }\ncolour: red\ndevices:\n  - { id: a, model: nope, room: r, serial: { path: /dev/x } }\n  - { id: a, model: seeed-mr60bha1, room: r, serial: { path: /dev/y } }\n`);
    expect(ps.map((p) => p.path).sort()).toEqual(['colour', 'devices[0].model', 'devices[1].id', 'hub.id', 'uplink.url']);
  });

  it('rejects an inverted band and an empty or broken document', () => {
    expect(problems(`${MINIMAL}detectors: { breathing_rate: { low_per_min: 30 } }\n`)[0]!.path).toBe('detectors.breathing_rate.low_per_min');
    expect(problems('').map((p) => p.path).sort()).toEqual(['hub', 'uplink']);
    expect(problems('hub: [unclosed\n')[0]!.message).toMatch(/^YAML syntax/);
  });

  it('refuses plain mqtt:// to a host other than loopback unless insecure: true', () => {
    const plain = (extra: string) => `hub: { id: h1 }\nuplink: { url: "mqtt://broker.example.org:1883"${extra} }\n`;
    const [p] = problems(plain(''));
    expect(p).toMatchObject({ path: 'uplink.url', line: 2 });
    expect(p!.message).toContain('plain mqtt:// to broker.example.org is not encrypted');
    expect(parseConfig(plain(', insecure: true')).ok).toBe(true);
    for (const url of ['mqtt://localhost:1883', 'mqtt://127.0.0.2:1', 'mqtt://[::1]:1883', 'mqtts://broker.example.org:8883']) {
      expect(parseConfig(`hub: { id: h1 }\nuplink: { url: "${url}" }\n`).ok, url).toBe(true);
    }
  });

  it('reports an unreadable file as a problem, not a crash', () => {
    const r = loadConfigFile('/nonexistent/anju.yaml');
    expect(r.ok).toBe(false);
  });

  it('the example and demo configs are valid (the example names TLS files of a real hub, so only its schema is checked)', () => {
    const example = parseConfig(readFileSync(join(root, 'config/anju.example.yaml'), 'utf8'));
    expect(example.ok ? 'ok' : formatProblems('example', example.problems)).toBe('ok');
    const demo = loadConfigFile(join(root, 'config/demo.yaml'));
    expect(demo.ok ? 'ok' : formatProblems('demo', demo.problems)).toBe('ok');
  });

  it('the example config documents every key of the schema', () => {
    const example = readFileSync(join(root, 'config/anju.example.yaml'), 'utf8');
    const keys = new Set<string>();
    const walk = (node: unknown): void => {
      if (!node || typeof node !== 'object') return;
      const n = node as { properties?: Record<string, unknown>; items?: unknown; anyOf?: unknown[]; allOf?: unknown[] };
      for (const [k, v] of Object.entries(n.properties ?? {})) { keys.add(k); walk(v); }
      walk(n.items);
      n.anyOf?.forEach(walk);
      n.allOf?.forEach(walk);
    };
    walk(configJsonSchema());
    expect(keys.size).toBeGreaterThan(20);
    // A key may be shown commented out where it excludes another (password vs password_file).
    const missing = [...keys].filter((k) => !new RegExp(`^\\s*(#\\s*)?(- )?${k}:`, 'm').test(example));
    expect(missing).toEqual([]);
  });

  it('config/anju.schema.json is the schema generated from src/config/schema.ts', () => {
    const onDisk = JSON.parse(readFileSync(join(root, 'config/anju.schema.json'), 'utf8')) as unknown;
    expect(onDisk).toEqual(JSON.parse(JSON.stringify(configJsonSchema())));
  });
});

describe('config files on disk', () => {
  it('names a TLS file that cannot be read, with its key path and line', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const d = mkdtempSync(join(tmpdir(), 'anju-cfg-'));
    const f = join(d, 'anju.yaml');
    writeFileSync(f, `hub: { id: h1 }\nuplink:\n  url: "mqtts://x:8883"\n  tls:\n    ca: ${join(d, 'missing-ca.pem')}\n`);
    const r = loadConfigFile(f);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual([expect.objectContaining({ path: 'uplink.tls.ca', message: 'file not readable', line: 5 })]);
    expect(r.problems[0]!.found).toContain('ENOENT');
  });

  it('gives YAML syntax errors a line and column', () => {
    const [p] = problems('hub:\n  id: h1\n  id: h2\n');
    expect(p).toMatchObject({ line: 3 });
    expect(p!.message).toMatch(/^YAML syntax/);
  });
});

describe('logger', () => {
  it('redacts passwords wherever they sit in a logged object', async () => {
    const { createLogger } = await import('../../../src/daemon/logger.js');
    const { PassThrough } = await import('node:stream');
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => { text += d.toString(); });
    const log = createLogger('info', out, 'json');
    log.info({ password: 'p1', uplink: { password: 'p2', password_file: '/etc/x' }, cfg: { uplink: { password: 'p3' } } }, 'x');
    log.flush();
    await new Promise((r) => setTimeout(r, 50));
    expect(text).toContain('[redacted]');
    expect(text).not.toMatch(/p1|p2|p3/);
  });
});
