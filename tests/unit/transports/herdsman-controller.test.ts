/**
 * The real zigbee-herdsman behind our port, as far as it runs without a stick: it loads on this
 * runtime, takes our options (herdsman 11 renamed `serialPort` to `transport` and ignores unknown
 * keys, so the old name silently meant "find some stick"), fails start() on a missing port, stops
 * afterwards, and sends its log lines to us instead of the console (anjud's stdout is JSON lines).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { ZigbeeControllerEvents, ZigbeeStackLogLevel } from '../../../src/transports/zigbee/controller-port.js';
import { createHerdsmanController } from '../../../src/transports/zigbee/herdsman-controller.js';

const dir = mkdtempSync(join(tmpdir(), 'anju-herdsman-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

function collectingEvents(): { events: ZigbeeControllerEvents; lines: Array<{ level: ZigbeeStackLogLevel; ns: string; text: string }> } {
  const lines: Array<{ level: ZigbeeStackLogLevel; ns: string; text: string }> = [];
  const ignore = () => {};
  return {
    lines,
    events: {
      message: ignore, deviceJoined: ignore, deviceInterview: ignore, deviceAnnounce: ignore, deviceLeave: ignore,
      permitJoinChanged: ignore, adapterDisconnected: ignore,
      stackLog: (level, ns, message) => lines.push({ level, ns, text: message() }),
    },
  };
}

describe('zigbee-herdsman controller without a stick', () => {
  // The two adapters we support (config.ts); deconz and zigate are passed through untested.
  it.each(['zstack', 'ember'] as const)('%s: start() rejects for a missing port, the log names it and goes to us, stop() works', async (adapter) => {
    const path = join(dir, `no-stick-${adapter}`);
    const { events, lines } = collectingEvents();
    const consoleLines: unknown[][] = [];
    for (const m of ['log', 'debug', 'info', 'warn', 'error'] as const) vi.spyOn(console, m).mockImplementation((...a: unknown[]) => { consoleLines.push(a); });
    const c = createHerdsmanController({
      serialPort: { path, adapter, baudRate: 115200, rtscts: false },
      databasePath: join(dir, `${adapter}.db`),
      databaseBackupPath: join(dir, `${adapter}.db.backup`),
      backupPath: join(dir, `${adapter}-backup.json`),
      network: { panId: 0x1a62, extendedPanId: [1, 2, 3, 4, 5, 6, 7, 8], channel: 15, networkKey: Array.from({ length: 16 }, (_, i) => i) },
    }, events);

    const started = await c.start().then(() => 'started', (err: unknown) => err as Error);
    expect(started).toBeInstanceOf(Error);
    // herdsman tried OUR port (not an auto-detected one) and said so through stackLog.
    const all = `${(started as Error).message}\n${lines.map((l) => `${l.level} ${l.ns}: ${l.text}`).join('\n')}`;
    expect(all).toContain(`cannot open ${path}`);
    expect(lines.some((l) => l.ns.startsWith('zh:'))).toBe(true);
    await expect(c.stop()).resolves.toBeUndefined();
    expect(consoleLines, 'herdsman wrote to the console').toEqual([]);
  });
});
