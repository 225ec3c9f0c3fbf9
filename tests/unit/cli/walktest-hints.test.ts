/**
 * The walk test's hints in the reader's language (issue 16 point 3): the variables a hint carries
 * (alarm types, the evidence seen, a link problem) are codes and English in the JSON report; on the
 * screen and in the report's table they are words of the reader's language too.
 */
import { describe, expect, it } from 'vitest';
import { hintOf, renderHint } from '../../../src/cli/walktest-hints.js';
import { evidence, newProofState, observe } from '../../../src/cli/walktest-kinds.js';
import { untranslatedWords } from '../../helpers/screen-check.js';

/** What a Chinese hint may keep: commands, the bus words of a wiring diagram. */
const ALLOWED = ['anjuctl', 'TX', 'RX', 'USB'];

describe('walk test hints', () => {
  const proof = newProofState();
  observe(proof, 'presence', false);
  observe(proof, 'breathRatePerMin', 14);
  const cases = [
    { key: 'wtHintNoAlarm', vars: { types: 'alarm.gas / alarm.co' }, zh: '收到读数但没有触发 燃气泄漏报警 / 一氧化碳报警：检查配置中的 detectors.fire_gas（`anjuctl config show`）' },
    { key: 'wtHintNoProof', vars: { what: 'wtAwaitRadar', evidence: evidence(proof) }, zh: '有数据但没有有人状态和呼吸频率（收到：有人 否，呼吸 14 次/分）：重复操作；检查设备的位置和安装' },
    { key: 'wtHintBle', vars: { problem: 'connect-failed' }, zh: '蓝牙未连接（连接失败）：给设备充电，放到网关 5 米以内，确认已配对；执行 `anjuctl diagnose`' },
  ] as const;

  it('renders alarm types, evidence and link problems in Chinese', () => {
    for (const c of cases) {
      const zh = renderHint('zh', c.key, c.vars);
      expect(untranslatedWords(zh, ALLOWED), zh).toEqual([]);
      expect(zh).toBe(c.zh);
    }
  });

  it('the JSON report keeps the English hint with the codes as they were, and the variables', () => {
    expect(hintOf({ key: 'wtHintNoAlarm', vars: { types: 'alarm.gas / alarm.co' } })).toEqual({
      hint: 'the reading came but no alarm.gas / alarm.co was raised: check detectors.fire_gas in the config (`anjuctl config show`)',
      hintCode: 'wtHintNoAlarm', hintVars: { types: 'alarm.gas / alarm.co' },
    });
    expect(hintOf({ key: 'wtHintNoProof', vars: { what: 'wtAwaitRadar', evidence: evidence(proof) } }).hint).toBe(
      'data arrives but not presence and a breathing rate (seen: presence=false, breathRatePerMin=14): repeat the action; check the device\'s position and mounting');
  });
});
