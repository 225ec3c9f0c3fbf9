/**
 * Issue 16 acceptance: a technician commissions a home at a real terminal (tmux, 160x50, colour),
 * once in Chinese (LANG=zh_CN.UTF-8) and once in English: status, devices add, walktest (the radar
 * answers: the test feeds its frames when the technician is asked to lie down), alarms ack by a
 * short id, diagnose, support bundle. The captured screens must speak one language (no English left
 * on the Chinese screens outside ids, units, config keys, commands and a short allowlist; no Chinese
 * on the English ones), show local time with the offset of hub.timezone, and keep tables aligned
 * with colour, measured from the captured screen with string-width.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testConfig } from '../helpers/daemon-process.js';
import { feedUntil, startHub, type Hub } from '../helpers/hub.js';
import { cjkLeaks, tableColumns, untranslatedWords } from '../helpers/screen-check.js';
import { ANJUCTL } from '../helpers/scripted-cli.js';
import { startTerminal, stripAnsi, type Terminal } from '../helpers/tmux.js';
import { waitFor } from '../helpers/wait.js';
import { breath, presence } from './frames.js';

/**
 * Words that may stay English on a Chinese screen: product and protocol names, units, commands
 * a technician types. Everything else is a missing translation.
 */
const ALLOWED = [
  'anjuctl', 'anjud', 'sudo', 'systemctl', 'journalctl', 'timedatectl', 'bluetoothctl', 'rfkill', 'resolvectl', 'usermod', 'anju', 'Ctrl', 'Enter',
  'MQTT', 'TLS', 'TCP', 'UDP', 'NTP', 'DNS', 'USB', 'tty', 'CSR', 'JSON', 'YAML', 'SIM', 'Zigbee', 'Modbus', 'BLE',
  'puback', 'cloud_ack', 'ack', 'seeed', 'hilink', 'tar', 'gz', 'MB', 'GB', 'KiB', 'MiB',
  'bedroom', 'hall', // room names: the installer's own words in the config, shown as typed
];

const WIDTH = 160;

const SESSIONS = [
  { lang: 'zh', LANG: 'zh_CN.UTF-8', hall: 'hall-zh', words: { prompt: /准备好后按回车/, pass: /通过/, presenceHint: /请走进雷达所在的房间/, acked: /已确认/, report: /安装验收报告/, typeName: '呼吸频率异常' } },
  { lang: 'en', LANG: 'en_US.UTF-8', hall: 'hall-en', words: { prompt: /Press Enter when ready/, pass: /PASS/, presenceHint: /Walk into the radar's room/, acked: / acknowledged /, report: /Commissioning report/, typeName: 'Abnormal breathing rate' } },
] as const;

// One session per language, both at once (each its own hub, broker, ptys and tmux server): the
// file's wall time is one session's.
describe('a technician session at a terminal (tmux)', () => {
  it.concurrent.each(SESSIONS)('$lang: commissions the home, all in one language, in local time, with aligned tables', async ({ lang, LANG, hall, words }) => {
    const hub = await startHub({
      name: `field-${lang}`, radars: ['bed-radar', hall], subscribe: false,
      yaml: (h) => testConfig({ hubId: h.hubId, stateDir: h.stateDir, brokerUrl: h.brokerUrl, devices: [{ id: 'bed-radar', path: h.ptys['bed-radar']!.devicePath }], uplinkExtra: 'apply_verify_s: 2' })
        .replace(`hub: { id: ${h.hubId} }`, `hub: { id: ${h.hubId}, timezone: Asia/Shanghai }`),
    });
    const term = startTerminal(hub.dir, `field-${lang}`, { width: WIDTH, height: 50, env: { LANG, LC_ALL: '', TZ: 'UTC', HOME: hub.dir } });
    try {
      await session(hub, term, lang, hall, words);
    } finally {
      term.kill();
      await hub.stop();
    }
  }, 240_000); // a deadline against a hang on a loaded machine; ~15 s a session on an idle one
});

type Words = (typeof SESSIONS)[number]['words'];

async function session(hub: Hub, term: Terminal, lang: 'zh' | 'en', hall: string, words: Words): Promise<void> {
  const screens: Array<{ what: string; output: string }> = [];
  // The technician's shorthand: the same anjuctl, pointed at this home (keeps typed lines short).
  await term.finished(term.run(`a() { ${process.execPath} ${ANJUCTL} --socket ${hub.socket} --config ${hub.cfgPath} "$@"; }`));
  const step = async (what: string, line: string, timeoutMs?: number) => {
    const r = await term.finished(term.run(line), timeoutMs);
    screens.push({ what, output: r.output });
    return r;
  };

  // 1. status: the hub, its one radar.
  const status = await step('status', 'a status');
  expect(status.code, stripAnsi(status.output)).toBe(0);

  // 2. devices add: the LD2410 in the hall, applied through set-config.
  const add = await step('devices add', `a devices add --id ${hall} --model hilink-ld2410 --room hall --path ${hub.ptys[hall]!.devicePath}`, 90_000);
  expect(add.code, stripAnsi(add.output)).toBe(0);

  // 3. walktest: the bed radar sees the technician lie down; the hall radar is skipped, but its
  //    instruction is one for a room, not a bed.
  const wt = term.run('a walktest --timeout-s 60');
  await term.waitForScreen(words.prompt);
  term.type('');
  await feedUntil(hub.ptys['bed-radar']!, () => [presence(true), breath(16)], 'the bed radar passed the walk test',
    () => words.presenceHint.test(stripAnsi(term.capture())), { everyMs: 300, timeoutMs: 60_000 });
  term.type('s');
  const walk = await term.finished(wt, 90_000);
  screens.push({ what: 'walktest', output: walk.output });
  expect(stripAnsi(walk.output)).toMatch(words.pass);
  expect(stripAnsi(walk.output)).toMatch(words.report);
  expect(walk.code).toBe(1); // the hall radar was skipped: not commissioned yet, and it says so

  // 4. an alarm: breathing too fast, sustained; the technician takes it by a short id.
  await feedUntil(hub.ptys['bed-radar']!, () => [presence(true), breath(30)], 'an open breathing-rate alarm',
    async () => (await hub.status()).alarms.some((a) => a.type === 'alarm.breathing_rate' && a.ackedBy === null), { everyMs: 500 });
  const statusAlarm = await step('status with an alarm', 'a status');
  const list = await step('alarms list', 'a alarms list');
  expect(list.code).toBe(0);
  const open = (await hub.status()).alarms.find((a) => a.type === 'alarm.breathing_rate' && a.ackedBy === null)!;
  const shortShown = stripAnsi(list.output).split('\n').map((l) => l.split(/\s+/)[0]).find((c) => c && open.id.startsWith(c) && c.length < open.id.length);
  expect(shortShown, 'the list shows a short id of the open alarm').toBeTruthy();
  expect(list.output, 'NOT acknowledged is shown in red').toMatch(/\u001b\[31m/);
  // The alarm by its name in the reader's language, not its type (kept for JSON and the cloud).
  for (const screen of [list.output, statusAlarm.output]) {
    expect(stripAnsi(screen)).toContain(words.typeName);
    expect(stripAnsi(screen)).not.toContain('alarm.breathing_rate');
  }
  const ack = await step('alarms ack', `a alarms ack ${open.id.slice(0, 6)}`);
  expect(ack.code, stripAnsi(ack.output)).toBe(0);
  expect(stripAnsi(ack.output)).toMatch(words.acked);
  await waitFor('the alarm acknowledged', async () => (await hub.status()).alarms.find((a) => a.id === open.id)?.ackedBy);

  // 5. diagnose, 6. the support bundle.
  await step('diagnose', 'a diagnose', 90_000);
  const sb = await step('support-bundle', `a support-bundle --out ${join(hub.dir, `bundle-${lang}.tar.gz`)}`, 90_000);
  expect(sb.code, stripAnsi(sb.output)).toBe(0);

  // Local time with the home's offset (Asia/Shanghai), never the UTC ISO form.
  const all = screens.map((s) => stripAnsi(s.output)).join('\n');
  expect(all).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+08:00/);
  expect(all).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/);

  // One language on every screen.
  for (const s of screens) {
    if (lang === 'zh') expect(untranslatedWords(s.output, ALLOWED), `${s.what}:\n${stripAnsi(s.output)}`).toEqual([]);
    else expect(cjkLeaks(s.output), `${s.what}:\n${stripAnsi(s.output)}`).toEqual([]);
  }

  // Tables line up as seen: every row's cells start where the header's do (colour and CJK included).
  const statusAfter = statusAlarm.output;
  for (const [screen, header] of [[statusAfter, lang === 'zh' ? '最近数据' : 'LAST SEEN'], [statusAfter, lang === 'zh' ? '开始时间' : 'SINCE'], [list.output, lang === 'zh' ? '开始时间' : 'SINCE'], [walk.output, lang === 'zh' ? '结果' : 'RESULT']] as const) {
    const t = tableColumns(screen, header);
    expect(t.rows.length, header).toBeGreaterThan(0);
    // A row may end early (an empty last cell: no hint); every cell it has starts under its header.
    for (const r of t.rows) expect(r, `${header}:\n${t.lines.map(stripAnsi).join('\n')}`).toEqual(t.header.slice(0, r.length));
  }
  expect(statusAfter, 'status is coloured').toMatch(/\u001b\[(1|3[12])m/);
}
