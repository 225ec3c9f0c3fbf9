/**
 * The config file editor behind `anjuctl devices add|remove`: only the device's lines change (every
 * other byte, comments included, stays), the style follows the neighbours, and the result parses to
 * exactly the original plus or minus that entry.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { wordedIn } from '../../../src/cli/i18n.js';
import { appendToList, removeFromList } from '../../../src/cli/config-edit.js';
import { parseConfig } from '../../../src/config/load.js';

const EXAMPLE = readFileSync(join(import.meta.dirname, '../../../config/anju.example.yaml'), 'utf8');
const radar = { id: 'hall-radar', model: 'hilink-ld2410', room: 'hall', serial: { path: '/dev/ttyUSB7' } };

/** Lines of `a` missing from `b` and lines of `b` missing from `a`, in order (a small LCS diff). */
function lineDiff(a: string, b: string): { removed: string[]; added: string[] } {
  const x = a.split('\n');
  const y = b.split('\n');
  const L = Array.from({ length: x.length + 1 }, () => new Array<number>(y.length + 1).fill(0));
  for (let i = x.length - 1; i >= 0; i--) for (let j = y.length - 1; j >= 0; j--) L[i]![j] = x[i] === y[j] ? L[i + 1]![j + 1]! + 1 : Math.max(L[i + 1]![j]!, L[i]![j + 1]!);
  const removed: string[] = [];
  const added: string[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    if (x[i] === y[j]) { i++; j++; } else if (L[i + 1]![j]! >= L[i]![j + 1]!) removed.push(x[i++]!); else added.push(y[j++]!);
  }
  return { removed: [...removed, ...x.slice(i)], added: [...added, ...y.slice(j)] };
}

describe('config-edit', () => {
  it('adds a device to the commented example as a block map under the last one; nothing else changes', () => {
    const r = appendToList(EXAMPLE, ['devices'], radar);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const d = lineDiff(EXAMPLE, r.text);
    expect(d.removed).toEqual([]);
    expect(d.added).toEqual(['  - id: hall-radar', '    model: hilink-ld2410', '    room: hall', '    serial:', '      path: /dev/ttyUSB7']);
    const c = parseConfig(r.text);
    expect(c.ok).toBe(true);
    if (c.ok) expect(c.config.devices.at(-1)).toMatchObject(radar);
  });

  it('removes a commented block entry of the example with its lines only', () => {
    const before = parse(EXAMPLE) as { devices: Array<{ id: string }> };
    const idx = before.devices.findIndex((d) => d.id === 'wrist-band');
    const r = removeFromList(EXAMPLE, ['devices'], idx);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const d = lineDiff(EXAMPLE, r.text);
    expect(d.added).toEqual([]);
    expect(d.removed.length).toBeGreaterThan(2);
    expect(d.removed.join('\n')).toContain('id: wrist-band');
    expect((parse(r.text) as typeof before).devices.map((x) => x.id)).toEqual(before.devices.map((x) => x.id).filter((x) => x !== 'wrist-band'));
  });

  it('follows one-line flow entries, keeps comments and quoting, and writes an emptied list as []', () => {
    const text = `hub: { id: h }   # the hub
uplink: { url: "mqtt://127.0.0.1:1883" }
devices:
  # bedroom first
  - { id: bed, model: seeed-mr60bha1, room: bedroom, serial: { path: "/dev/ttyUSB0" } }   # by the bed
# trailing comment
`;
    const r = appendToList(text, ['devices'], { id: 'band', model: 'ble-heart-rate', room: 'bedroom', ble: { address: 'AA:BB:CC:DD:EE:01' } });
    expect(r.ok && r.text).toBe(text.replace('# by the bed\n', '# by the bed\n  - { id: band, model: ble-heart-rate, room: bedroom, ble: { address: AA:BB:CC:DD:EE:01 } }\n'));
    if (!r.ok) return;
    const back = removeFromList(r.text, ['devices'], 1);
    expect(back.ok && back.text).toBe(text);
    const none = removeFromList(text, ['devices'], 0);
    expect(none.ok && none.text).toBe('hub: { id: h }   # the hub\nuplink: { url: "mqtt://127.0.0.1:1883" }\ndevices: []\n# trailing comment\n');
    if (none.ok) expect(parseConfig(none.text).ok).toBe(true);
  });

  it('creates a missing list, fills an empty key or a flow list, and quotes what would read as another type', () => {
    const base = 'hub: { id: h }\nuplink: { url: "mqtt://127.0.0.1:1883" }\n';
    const zig = { id: 'smoke', model: 'heiman-hs1sa', room: 'hall', zigbee: { ieee: '0x00158d0001a2b3c4' } };
    for (const text of [base, `${base}devices:\n`, `${base}devices: []\n`]) {
      const r = appendToList(text, ['devices'], zig);
      expect(r.ok, text).toBe(true);
      if (r.ok) expect((parse(r.text) as { devices: unknown[] }).devices).toEqual([zig]);
    }
    const r = appendToList(base, ['devices'], zig);
    expect(r.ok && r.text).toContain('ieee: "0x00158d0001a2b3c4"');
  });

  it('adds to the devices of a Modbus bus in the example', () => {
    const r = appendToList(EXAMPLE, ['modbus', 0, 'devices'], { id: 'co-2', model: 'gas-module-6000h', room: 'kitchen', unitId: 9 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(lineDiff(EXAMPLE, r.text).removed).toEqual([]);
    const c = parseConfig(r.text);
    expect(c.ok && c.config.modbus[0]!.devices.at(-1)).toMatchObject({ id: 'co-2', unitId: 9 });
  });

  it('refuses text that is not YAML, and a key that is not a list', () => {
    expect(appendToList('a: [', ['devices'], radar)).toMatchObject({ ok: false, reason: 'yaml' });
    const notList = appendToList('devices: 3\n', ['devices'], radar);
    expect(notList).toMatchObject({ ok: false, reason: 'unsafe', message: 'devices is not a list' });
    // Our words, so also in the reader's language (issue 16): `devices add` prints it in a Chinese sentence.
    if (!notList.ok) expect(wordedIn('zh', notList)).toBe('devices 不是列表');
  });
});

describe('bleModelsForServices', () => {
  it('matches a model by its primary service, 16- or 128-bit, and nothing by Battery alone', async () => {
    const { bleModelsForServices } = await import('../../../src/drivers/ble-registry.js');
    expect(bleModelsForServices(['0000180d-0000-1000-8000-00805f9b34fb', '0000180f-0000-1000-8000-00805f9b34fb'])).toEqual(['ble-heart-rate']);
    expect(bleModelsForServices(['1822'])).toEqual(['ble-pulse-oximeter']);
    expect(bleModelsForServices(['0000180F-0000-1000-8000-00805F9B34FB'])).toEqual([]);
    expect(bleModelsForServices([])).toEqual([]);
  });
});
