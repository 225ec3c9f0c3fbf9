/**
 * Config problems as a technician reads them (issue 16): in their language, sorted by line, and a
 * typo'd key or model gets the closest name instead of every allowed one.
 */
import { describe, expect, it } from 'vitest';
import { renderProblems } from '../../../src/cli/config-problems.js';
import { parseConfig } from '../../../src/config/load.js';
import { formatProblems } from '../../../src/config/result.js';
import { closest } from '../../../src/config/suggest.js';

const BAD = `hub: { id: h1 }
store: { quota_mb: -1 }
uplink: { url: "mqtts://broker:8883", heartbeat_sec: 30 }
devices:
  - { id: r, model: seeed-mr60bha, room: bed, serial: { path: /dev/ttyUSB0 } }
`;

describe('config problems', () => {
  it('closest: a near typo, never an arbitrary guess', () => {
    expect(closest('heartbeat_sec', ['heartbeat_s', 'url', 'retry_s'])).toBe('heartbeat_s');
    expect(closest('seeed-mr60bha', ['seeed-mr60bha1', 'hilink-ld2410'])).toBe('seeed-mr60bha1');
    expect(closest('stauts', ['status', 'alarms'])).toBe('status'); // a swap is one edit
    expect(closest('mr60', ['seeed-mr60bha1', 'hilink-ld2410'])).toBeNull();
  });

  it('sorted by line, with "did you mean" instead of the whole list, in English and in Chinese', () => {
    const r = parseConfig(BAD);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const en = formatProblems('anju.yaml', r.problems).split('\n');
    expect(en).toEqual([
      'anju.yaml:2:10: store.quota_mb: out of range (expected > 0, found number -1)',
      'anju.yaml:3:39: uplink.heartbeat_sec: unknown key (did you mean "heartbeat_s"?, found "heartbeat_sec")',
      'anju.yaml:5:14: devices[0].model: not an allowed value (did you mean "seeed-mr60bha1"?, found string "seeed-mr60bha")',
    ]);
    const zh = renderProblems('zh', 'anju.yaml', r.problems).split('\n');
    expect(zh).toEqual([
      'anju.yaml:2:10：store.quota_mb：超出范围（应为 > 0，实际为 数字 -1）',
      'anju.yaml:3:39：uplink.heartbeat_sec：未知的键（您是否想写 "heartbeat_s"？，实际为 "heartbeat_sec"）',
      'anju.yaml:5:14：devices[0].model：不是允许的值（您是否想写 "seeed-mr60bha1"？，实际为 字符串 "seeed-mr60bha"）',
    ]);
    expect(renderProblems('en', 'anju.yaml', r.problems)).toBe(en.join('\n'));
  });
});
