/**
 * diagnose's findings in the reader's language (issue 16 point 4): the config's first problem and
 * the codes among a finding's values (a link's state or problem) are rendered, not shown as the
 * English the JSON keeps.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diagnose, findingsJson, renderFinding, type Finding } from '../../../src/cli/diagnose-checks.js';
import { untranslatedWords } from '../../helpers/screen-check.js';

const dir = mkdtempSync(join(tmpdir(), 'anju-diag-zh-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/** Product names and an adapter's name (hci0). */
const ALLOWED = ['anjuctl', 'Zigbee', 'MQTT', 'bluetoothd', 'hci'];

describe('diagnose findings in Chinese', () => {
  it('an invalid config: its first problem (by line) in Chinese, in English for JSON', async () => {
    const file = join(dir, 'anju.yaml');
    writeFileSync(file, 'hub: { id: h1 }\nuplink: { url: "mqtts://b:8883", reconnect_min_s: 9, reconnect_max_s: 2 }\n');
    const r = await diagnose({ socket: join(dir, 'no.sock'), configPath: file });
    const f = r.findings.find((x) => x.message === 'dgConfigInvalid')!;
    expect(f).toBeDefined();
    const zh = renderFinding('zh', f).text;
    expect(zh).toBe(`配置 ${file} 有 1 个问题，第一个：${file}:2:34：uplink.reconnect_min_s：reconnect_min_s 不能大于 reconnect_max_s`);
    expect(findingsJson([f])[0]!.message).toBe(`config ${file} has 1 problem(s), first: ${file}:2:34: uplink.reconnect_min_s: reconnect_min_s must not exceed reconnect_max_s`);
  });

  it('link states and problems among the values are words, not codes', () => {
    const findings: Finding[] = [
      { check: 'device', level: 'error', message: 'dgBleDown', vars: { id: 'bed-band', problem: 'connect-failed' }, hint: 'dgHintBle' },
      { check: 'zigbee', level: 'error', message: 'dgZigbeeDown', vars: { state: 'retrying', problem: 'adapter-lost', error: '-' }, hint: 'dgHintZigbee' },
      { check: 'zigbee2mqtt', level: 'error', message: 'dgZ2mDown', vars: { state: 'disconnected', error: '-' }, hint: 'dgHintZ2m' },
      { check: 'ble', level: 'error', message: 'dgBleAdapterState', vars: { adapter: 'hci0', state: 'powered-off' }, hint: 'dgHintBleAdapter' },
    ];
    const texts = findings.map((f) => renderFinding('zh', f).text);
    expect(texts).toEqual([
      'bed-band：蓝牙设备未连接（连接失败）',
      'Zigbee 协调器未运行：重试中（协调器丢失：-）',
      'Zigbee2MQTT 数据源未连接：已断开（-）',
      '蓝牙适配器 hci0：已关闭',
    ]);
    for (const s of texts) expect(untranslatedWords(s, ALLOWED), s).toEqual([]);
    expect(findingsJson(findings).map((f) => f.message)[0]).toBe('bed-band: Bluetooth device not connected (connect-failed)');
  });
});
