import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { correctedTs } from '../../../src/core/ts-correction.js';
import { systemBootClock } from '../../../src/transports/clock/boot-clock.js';

describe('correctedTs', () => {
  const synced = Date.UTC(2026, 10, 29, 8, 0, 0);

  it('puts the event as long before the synchronised now as the monotonic clock says', () => {
    // Stamped 90 s after boot; NTP synced 10 min after boot.
    expect(correctedTs({ wallNowMs: synced, monoNowMs: 600_000, monoEventMs: 90_000 })).toBe(synced - 510_000);
    expect(correctedTs({ wallNowMs: synced, monoNowMs: 5_000, monoEventMs: 5_000 })).toBe(synced);
  });

  it('does not care what the wrong wall clock said, only the monotonic age', () => {
    const a = correctedTs({ wallNowMs: synced, monoNowMs: 1_000_000, monoEventMs: 400_000 });
    const b = correctedTs({ wallNowMs: synced + 1000, monoNowMs: 1_001_000, monoEventMs: 400_000 });
    expect(a).toBe(b);
  });

  it('rounds to whole ms', () => {
    expect(correctedTs({ wallNowMs: 1000.4, monoNowMs: 10.2, monoEventMs: 10 })).toBe(1000);
  });

  it('refuses what cannot be one boot: an event stamped after now, or a missing reading', () => {
    expect(correctedTs({ wallNowMs: synced, monoNowMs: 100, monoEventMs: 101 })).toBeNull();
    expect(correctedTs({ wallNowMs: synced, monoNowMs: Number.NaN, monoEventMs: 1 })).toBeNull();
    expect(correctedTs({ wallNowMs: Number.POSITIVE_INFINITY, monoNowMs: 2, monoEventMs: 1 })).toBeNull();
  });
});

describe('systemBootClock', () => {
  it('reads the boot id from its file and a monotonic clock that only grows', () => {
    const dir = mkdtempSync(join(tmpdir(), 'anju-boot-'));
    const file = join(dir, 'boot_id');
    writeFileSync(file, '3f1c2a9e-7d4b-4a51-9d0e-2b6f8c1e5a77\n');
    const c = systemBootClock(file);
    expect(c.bootId).toBe('3f1c2a9e-7d4b-4a51-9d0e-2b6f8c1e5a77');
    const a = c.monoNowMs();
    const b = c.monoNowMs();
    expect(Number.isInteger(a) && b >= a).toBe(true);
    expect(systemBootClock(join(dir, 'missing')).bootId).toBeNull();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the real boot id is the kernel one on Linux', () => {
    expect(systemBootClock().bootId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
