/**
 * No exception from parsing or validating escapes as a crash (issue 12, finding 8): should the YAML
 * layer throw on some input (here it is made to), the verdict is still "invalid", with the reason,
 * so anjud exits 78 and set-config answers ANJU_CMD_INVALID_CONFIG.
 */
import { describe, expect, it, vi } from 'vitest';

vi.mock('../../../src/config/parse-yaml.js', () => ({
  parseYaml: () => { throw new RangeError('Maximum call stack size exceeded'); },
}));
const { parseConfig, validateConfigText, validateRemoteConfigText, loadConfigFile } = await import('../../../src/config/load.js');

describe('config validation never throws', () => {
  it.each([
    ['parseConfig', () => parseConfig('hub: { id: h1 }\n')],
    ['validateConfigText', () => validateConfigText('hub: { id: h1 }\n')],
    ['validateRemoteConfigText', () => validateRemoteConfigText('hub: { id: h1 }\n', { current: {} as never, configPath: '/etc/anju/anju.yaml', runtimeDirs: [] })],
    ['loadConfigFile', () => loadConfigFile(import.meta.filename)],
  ])('%s turns an exception into a problem', (_name, run) => {
    expect(run()).toEqual({ ok: false, problems: [{ path: '', message: 'cannot validate this config: Maximum call stack size exceeded', code: 'ANJU_CFG_CANNOT_VALIDATE', params: { detail: 'Maximum call stack size exceeded' } }] });
  });
});
