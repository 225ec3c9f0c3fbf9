/**
 * The pty helper behaves like hardware, also when other tests run beside it: an unplugged port's
 * name leads nowhere (not into the next pty the kernel hands out, which may be another test's
 * line), and two pairs cannot silently share a name.
 */
import { existsSync, lstatSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPtyPair, type PtyPair } from '../helpers/pty.js';

describe('socat pty pairs (tests/helpers/pty.ts)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-pty-'));
  const pairs: PtyPair[] = [];
  afterAll(async () => {
    for (const p of pairs) await p.unplug();
    rmSync(dir, { recursive: true, force: true });
  });

  it('unplugged, the port name is gone: reopening it fails even once its pty number serves another pair', async () => {
    const a = await createPtyPair(dir, 'a');
    pairs.push(a);
    await a.unplug();
    // The kernel gives the lowest free pty numbers: the ones `a` just freed, unless a parallel test took them first.
    const others = [await createPtyPair(dir, 'b'), await createPtyPair(dir, 'c')];
    pairs.push(...others);
    expect(() => lstatSync(a.devicePath), 'no link left behind').toThrow(/ENOENT/);
    expect(() => lstatSync(a.simPath), 'no link left behind').toThrow(/ENOENT/);
    expect(() => openSync(a.devicePath, 'r+'), 'what a daemon reopening the port gets').toThrow(/ENOENT/);
    // Plugged back in: the same names, a working line.
    await a.plug();
    expect(existsSync(a.devicePath) && existsSync(a.simPath)).toBe(true);
  });

  it('refuses a second live pair under the same name in the same directory', async () => {
    const first = await createPtyPair(dir, 'same');
    pairs.push(first);
    await expect(createPtyPair(dir, 'same')).rejects.toThrow(/another pty pair uses the name "same"/);
  });
});
