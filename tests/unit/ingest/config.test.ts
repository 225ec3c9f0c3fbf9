/** anju-ingest's config (ingest/config.ts): the example is valid, errors name the key path, the unit verifies. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IngestConfigSchema, loadIngestConfig } from '../../../ingest/config.js';
import { ROOT } from '../../helpers/daemon-process.js';
import { requireBinary } from '../../helpers/peers.js';

const dir = mkdtempSync(join(tmpdir(), 'anju-ingest-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const load = (text: string) => {
  const f = join(dir, 'c.yaml');
  writeFileSync(f, text);
  return loadIngestConfig(f);
};
const MIN = 'mqtt: { url: "mqtt://127.0.0.1:1883" }\npostgres: { url: "postgres://ingest@127.0.0.1/anju" }\n';

describe('anju-ingest config', () => {
  it('the example config is valid and sets every key to its default', () => {
    const r = loadIngestConfig(join(ROOT, 'ingest/anju-ingest.example.yaml'));
    expect(r.ok, JSON.stringify(r)).toBe(true);
    const defaults = loadIngestConfig(join(dir, 'none.yaml'));
    expect(defaults.ok).toBe(false);
    const min = load(MIN);
    if (!min.ok || !r.ok) throw new Error('expected valid');
    // Every default the example states is the schema's (the example documents them).
    for (const section of ['ingest', 'resync', 'presence', 'log'] as const) expect(r.config[section]).toEqual(min.config[section]);
    expect(min.config.mqtt).toMatchObject({ group: 'anju-ingest', keepalive_s: 30, max_message_kb: 512, client_id: expect.stringMatching(/^anju-ingest-/) as string });
  });

  it('names the key path, what was expected and what was found', () => {
    const r = load(`${MIN}resync: { after_s: "soon" }\ningest: { batch_max: 0, colour: blue }\n`);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const lines = r.problems.map((p) => `${p.path}: ${p.message}`);
    expect(lines).toEqual(expect.arrayContaining([
      expect.stringMatching(/^resync\.after_s: .*number.*found string "soon"$/),
      expect.stringMatching(/^ingest\.batch_max: .*found number 0$/),
      'ingest: unknown key(s) "colour"',
    ]));
    expect(r.problems.every((p) => p.file.endsWith('c.yaml'))).toBe(true);
  });

  it('refuses a password in a URL, a missing section, and YAML that does not parse', () => {
    const pw = load('mqtt: { url: "mqtt://127.0.0.1" }\npostgres: { url: "postgres://u:secret@db/anju" }\n');
    expect(pw.ok ? [] : pw.problems.map((p) => p.path)).toEqual(['postgres.url']);
    const missing = load('mqtt: { url: "mqtt://127.0.0.1" }\n');
    expect(missing.ok ? [] : missing.problems.map((p) => p.path)).toEqual(['postgres']);
    const userinfo = load('mqtt: { url: "mqtt://u:p@127.0.0.1" }\npostgres: { url: "postgres://db/anju" }\n');
    expect(userinfo.ok ? [] : userinfo.problems.map((p) => p.path)).toEqual(['mqtt.url']);
    const bad = load('mqtt: [\n');
    expect(bad.ok).toBe(false);
  });

  it('the CLI exits 78 on an invalid config, naming the key', () => {
    const f = join(dir, 'bad.yaml');
    writeFileSync(f, `${MIN}presence: { heartbeat_missing_after_s: 1 }\n`);
    const r = spawnSync(process.execPath, [join(ROOT, 'dist/ingest/cli.js'), 'check-config', f], { encoding: 'utf8' });
    expect(r.status).toBe(78);
    expect(r.stderr).toContain('presence.heartbeat_missing_after_s');
  });

  it('the systemd unit passes systemd-analyze verify (ExecStart at the built CLI)', () => {
    const bin = requireBinary('systemd-analyze', 'systemd');
    const unit = readFileSync(join(ROOT, 'ingest/systemd/anju-ingest.service'), 'utf8')
      .replaceAll('/opt/anju-ingest/node_modules/.bin/node', process.execPath).replaceAll('/opt/anju-ingest/', `${ROOT}/`);
    writeFileSync(join(dir, 'anju-ingest.service'), unit);
    const r = spawnSync(bin, ['verify', join(dir, 'anju-ingest.service')], { encoding: 'utf8', env: { ...process.env, SYSTEMD_COLORS: '0' } });
    const out = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.includes('anju-ingest.service'));
    expect(out, `${r.stdout}${r.stderr}`).toEqual([]);
  });

  it('the schema knows exactly the sections the example shows', () => {
    expect(Object.keys(IngestConfigSchema.shape).sort()).toEqual(['ingest', 'log', 'mqtt', 'postgres', 'presence', 'resync']);
  });
});
