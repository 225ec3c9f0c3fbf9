/**
 * `anjuctl replay` and `screen-apnea` in Chinese (issue 16 point 1): why a line was skipped, why a
 * file cannot be read or screened, and an event's severity come from the catalogue, not as English
 * sentences. In-process (runReplay, runScreenApnea): no daemon, no build; the English stays as
 * tests/integration/replay.test.ts checks it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILT_IN_CONFIG, parseReplayLine, runReplay } from '../../../src/cli/commands/replay.js';
import { runScreenApnea } from '../../../src/cli/commands/screen-apnea.js';
import { t } from '../../../src/cli/i18n.js';
import { loadConfigFile, parseConfig } from '../../../src/config/load.js';
import { ROOT } from '../../helpers/daemon-process.js';
import { untranslatedWords } from '../../helpers/screen-check.js';

const dir = mkdtempSync(join(tmpdir(), 'anju-offline-zh-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Words a Chinese line may keep: the formats' own names, and a replay line's keys ("device"). */
const ALLOWED = ['JSON', 'gzip', 'device', 'metric', 'value'];

async function replay(file: string, config = BUILT_IN_CONFIG, lang: 'zh' | 'en' = 'zh') {
  const c = parseConfig(config);
  if (!c.ok) throw new Error('the config must be valid');
  const out: string[] = [];
  const err: string[] = [];
  const code = await runReplay(file, { json: false, speed: null, config: c.config }, { out: (s) => out.push(s), err: (s) => err.push(s), lang });
  return { code, out, err };
}

describe('offline tools in Chinese', () => {
  it('replay: every reason a line is skipped, and the summary, in Chinese', async () => {
    const f = join(dir, 'bad.jsonl');
    const ts = Date.UTC(2026, 10, 30, 4);
    writeFileSync(f, [
      JSON.stringify({ ts, device: 'bed', metric: 'presence', value: true }), 'not json', '{"ts":"noon"}',
      JSON.stringify({ ts, device: 'a b', metric: 'presence', value: true }), JSON.stringify({ ts: ts - 1, device: 'bed', metric: 'presence', value: false }),
      '[1]', JSON.stringify({ ts, device: 'bed', metric: '', value: 1 }), JSON.stringify({ ts, device: 'bed', metric: 'x', value: null }),
    ].join('\n'));
    const r = await replay(f);
    expect(r.code).toBe(0);
    expect(r.err).toHaveLength(9); // 7 skipped lines, the count, the summary
    expect(r.err[0]).toBe(`${f}:2：已跳过：不是 JSON`);
    expect(r.err[2]).toBe(`${f}:4：已跳过："device" 应为设备 ID（1-64 个 A-Z a-z 0-9 _ -）`);
    expect(r.err.flatMap((l) => untranslatedWords(l.replaceAll(f, ''), ALLOWED))).toEqual([]);
    // Every reason parseReplayLine gives is a catalogue key with both languages.
    for (const line of ['x', '[1]', '{"ts":-1}', '{"ts":1,"device":"a b"}', '{"ts":1,"device":"a","metric":""}', '{"ts":1,"device":"a","metric":"m"}']) {
      const p = parseReplayLine(line);
      expect(p.kind, line).toBe('bad');
      if (p.kind === 'bad') expect(t('zh', p.reason), line).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('replay: a missing file, a directory; an event line names its type, state and severity in Chinese', async () => {
    expect((await replay(join(dir, 'nope.jsonl'))).err).toEqual([`${join(dir, 'nope.jsonl')}：无法读取：文件不存在`]);
    expect((await replay(dir)).err).toEqual([`${dir}：无法读取：是一个目录`]);
    const home = loadConfigFile(join(ROOT, 'examples/replays/home.yaml'));
    if (!home.ok) throw new Error('examples/replays/home.yaml must be valid');
    const c = await runReplayWith(join(ROOT, 'examples/replays/left-home-curfew.jsonl'), home.config);
    const raised = c.out.find((l) => l.includes('外出未归'));
    expect(raised, c.out.join('\n')).toBeDefined();
    const columns = raised!.split('  ').slice(0, 4).join('  '); // time, type and state, severity, device; then the data (JSON)
    expect(columns).toMatch(/ 触发  (危急|警告|提示)  /);
    expect(untranslatedWords(columns, ALLOWED)).toEqual([]);
  });

  it('screen-apnea: a file that cannot be screened, or read, says why in Chinese', () => {
    const none = join(dir, 'none.csv');
    writeFileSync(none, 't_s,hr_bpm\nx,y\nfoo\n');
    const a = runScreenApnea(none, { lang: 'zh' });
    expect(a.exitCode).toBe(1);
    expect(a.stderr).toBe(`${none}:2：应为 "t_s,hr_bpm"（两个数字）；文件中没有有效的行\n`);
    const mostly = join(dir, 'mostly.csv');
    writeFileSync(mostly, '0,60\nx\ny\n');
    expect(runScreenApnea(mostly, { lang: 'zh' }).stderr).toBe(`${mostly}:2：应为 "t_s,hr_bpm"（两个数字）；3 行中有 2 行格式错误\n`);
    expect(runScreenApnea(join(dir, 'nope.csv'), { lang: 'zh' }).stderr).toBe(`${join(dir, 'nope.csv')}：无法读取：文件不存在\n`);
    // English and --json keep the English text.
    expect(runScreenApnea(mostly, { lang: 'en' }).stderr).toBe(`${mostly}:2: expected "t_s,hr_bpm" (two numbers); 2 of 3 rows are malformed\n`);
    expect(JSON.parse(runScreenApnea(mostly, { json: true, lang: 'zh' }).stdout)).toMatchObject({ ok: false, error: `${mostly}:2: expected "t_s,hr_bpm" (two numbers); 2 of 3 rows are malformed` });
  });
});

async function runReplayWith(file: string, config: Parameters<typeof runReplay>[1]['config']) {
  const out: string[] = [];
  const err: string[] = [];
  await runReplay(file, { json: false, speed: null, config }, { out: (s) => out.push(s), err: (s) => err.push(s), lang: 'zh' });
  return { out, err };
}
