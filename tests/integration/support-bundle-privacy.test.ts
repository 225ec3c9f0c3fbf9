/**
 * Support bundles and the resident's personal data (issue 16, point 4; PIPL, docs/privacy.md): by
 * default no file of the bundle holds the resident's name, address, contacts or phone numbers
 * (by field class: hub.name, a contact list of a section this build does not even know yet, an
 * E.164 number in a comment); `--include-personal` keeps them and says so on stderr and in README.txt.
 * The built anjuctl on a real config file, the bundle unpacked with tar and every file grepped.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testConfig } from '../helpers/daemon-process.js';
import { ctl } from '../helpers/scripted-cli.js';

const PERSONAL = ['王秀英', '杭州市西湖区文三路 100 号 3 单元 502', '李明', '+8613800138000', '+86 139 1234 5678', 'Zhang Wei', '+49 30 1234567'];

describe('support-bundle: personal data', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-privacy-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cfg = join(dir, 'anju.yaml');
  writeFileSync(cfg, `# 紧急联系人 +86 139 1234 5678 (daughter)
${testConfig({ hubId: 'hub-privacy', stateDir: join(dir, 'state'), brokerUrl: 'mqtt://127.0.0.1:1', devices: [{ id: 'bed-radar', path: join(dir, 'bed.dev') }] })
    .replace('hub: { id: hub-privacy }', 'hub: { id: hub-privacy, name: "王秀英, 杭州市西湖区文三路 100 号 3 单元 502", timezone: Asia/Shanghai }')}escalation:
  contacts:
    - { name: 李明, relation: son, phone: "+8613800138000" }
    - name: Zhang Wei
      mobile: "+49 30 1234567"
`);
  const unpack = (bundle: string): Record<string, string> => {
    const into = join(dir, `unpacked-${Math.random().toString(36).slice(2)}`);
    mkdirSync(into);
    expect(spawnSync('tar', ['-xzf', bundle, '-C', into]).status).toBe(0);
    const top = join(into, readdirSync(into)[0]!);
    return Object.fromEntries(readdirSync(top).map((f) => [f, readFileSync(join(top, f), 'utf8')]));
  };

  it('by default, no file of the bundle holds the resident\'s name, address, contacts or phone numbers', () => {
    const out = join(dir, 'default.tar.gz');
    const r = ctl(['support-bundle', '--config', cfg, '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    const files = unpack(out);
    expect(Object.keys(files)).toContain('config.yaml');
    for (const [file, text] of Object.entries(files)) for (const v of PERSONAL) expect(text.includes(v), `${file} holds "${v}"`).toBe(false);
    // What support needs stays: ids, the time zone, the layout, and where the values were.
    expect(files['config.yaml']).toContain('hub-privacy');
    expect(files['config.yaml']).toContain('Asia/Shanghai');
    expect(files['config.yaml']).toContain('bed-radar');
    expect(files['config.yaml']!.match(/\[personal\]/g)!.length).toBeGreaterThanOrEqual(7);
    expect(files['README.txt']).toContain('Personal data (names, addresses, contacts, phone numbers) replaced by [personal]');
    expect(r.stderr).not.toContain('WARNING');
  });

  it('--include-personal keeps them, with a warning', () => {
    const out = join(dir, 'personal.tar.gz');
    const r = ctl(['support-bundle', '--config', cfg, '--out', out, '--include-personal']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('WARNING: --include-personal');
    const files = unpack(out);
    for (const v of PERSONAL) expect(files['config.yaml'], v).toContain(v);
    expect(files['README.txt']).toContain('PERSONAL DATA KEPT');
    const zh = ctl(['support-bundle', '--config', cfg, '--out', join(dir, 'zh.tar.gz'), '--include-personal', '--lang', 'zh']);
    expect(zh.stderr).toContain('个人信息保护法');
  });
});
