/**
 * The hub commands' argument schemas (src/uplink/args.ts), which replace zod in the running daemon:
 * they must refuse what zod refused (wrong type, out of range, unknown key, missing key) and say
 * which key and what was expected, and fill in defaults.
 */
import { describe, expect, it } from 'vitest';
import { atLeastOneOf, int, matching, optional, refine, str, strictArgs, type ArgsResult } from '../../../src/uplink/args.js';

const resync = strictArgs({ since_seq: int(0, Number.MAX_SAFE_INTEGER), limit: int(1, 10_000, 10_000) });
const ack = strictArgs({ id: str(1, 64), by: str(1, 128, 'cloud') });
const none = strictArgs({});

const issues = (r: ArgsResult<unknown>) => (r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));

describe('command argument schemas', () => {
  it('accepts valid arguments and fills in defaults', () => {
    expect(resync.safeParse({ since_seq: 5 })).toEqual({ success: true, data: { since_seq: 5, limit: 10_000 } });
    expect(resync.safeParse({ since_seq: 0, limit: 1 })).toEqual({ success: true, data: { since_seq: 0, limit: 1 } });
    expect(ack.safeParse({ id: 'e-1' })).toEqual({ success: true, data: { id: 'e-1', by: 'cloud' } });
    expect(none.safeParse({})).toEqual({ success: true, data: {} });
  });

  it('names the key and what was expected for each problem', () => {
    expect(issues(resync.safeParse({}))).toEqual(['since_seq: required']);
    expect(issues(resync.safeParse({ since_seq: 1.5 }))).toEqual([`since_seq: expected an integer from 0 to ${Number.MAX_SAFE_INTEGER}, found number 1.5`]);
    expect(issues(resync.safeParse({ since_seq: -1, limit: 10_001 }))).toEqual([
      `since_seq: expected an integer from 0 to ${Number.MAX_SAFE_INTEGER}, found number -1`,
      'limit: expected an integer from 1 to 10000, found number 10001',
    ]);
    expect(issues(resync.safeParse({ since_seq: '3' }))[0]).toMatch(/^since_seq: expected an integer .* found string of length 1$/);
    expect(issues(ack.safeParse({ id: '' }))).toEqual(['id: expected a string of 1 to 64 characters, found string of length 0']);
    expect(issues(ack.safeParse({ id: 'x'.repeat(65) }))).toEqual(['id: expected a string of 1 to 64 characters, found string of length 65']);
    expect(issues(ack.safeParse({ id: 'x', by: null }))).toEqual(['by: expected a string of 1 to 128 characters, found null']);
  });

  it('refuses unknown keys (a misspelt argument would otherwise be ignored) and non-objects', () => {
    expect(issues(ack.safeParse({ alarm_id: 'x' }))).toEqual(['id: required', 'alarm_id: unknown key; expected only id, by']);
    expect(issues(none.safeParse({ verbose: true }))).toEqual(['verbose: unknown key; expected no arguments']);
    for (const raw of [null, [], 'x', 3]) expect(none.safeParse(raw).success).toBe(false);
  });

  it('optional keys may be absent; patterned strings say what they expect', () => {
    const scan = strictArgs({ seconds: int(1, 60, 10), adapter: optional(matching(/^hci\d{1,2}$/, 'a BlueZ adapter name such as hci0')) });
    expect(scan.safeParse({})).toEqual({ success: true, data: { seconds: 10 } });
    expect(scan.safeParse({ adapter: 'hci1' })).toEqual({ success: true, data: { seconds: 10, adapter: 'hci1' } });
    expect(issues(scan.safeParse({ adapter: 'usb0' }))).toEqual(['adapter: expected a BlueZ adapter name such as hci0, found string of length 4']);
    expect(issues(scan.safeParse({ adapter: null }))).toEqual(['adapter: expected a BlueZ adapter name such as hci0, found null']);
  });

  it('refine: a check across keys runs once every key is valid, and names the problem', () => {
    type R = { since_seq?: number | undefined; since_report_seq?: number | undefined; limit: number };
    const seqs = refine(
      strictArgs({ since_seq: optional(int(0, 100)), since_report_seq: optional(int(0, 100)), limit: int(1, 10, 10) }),
      atLeastOneOf<R>('since_seq', 'since_report_seq'),
    );
    expect(seqs.safeParse({ since_seq: 1 })).toEqual({ success: true, data: { since_seq: 1, limit: 10 } });
    expect(seqs.safeParse({ since_report_seq: 0 })).toEqual({ success: true, data: { since_report_seq: 0, limit: 10 } });
    expect(seqs.safeParse({ since_seq: 2, since_report_seq: 3, limit: 4 })).toEqual({ success: true, data: { since_seq: 2, since_report_seq: 3, limit: 4 } });
    expect(issues(seqs.safeParse({}))).toEqual([': expected since_seq or since_report_seq (or both), found neither']);
    expect(issues(seqs.safeParse({ limit: 5 }))).toEqual([': expected since_seq or since_report_seq (or both), found neither']);
    // A key error is reported as such (the cross-key check does not run on invalid arguments).
    expect(issues(seqs.safeParse({ since_report_seq: -1 }))).toEqual(['since_report_seq: expected an integer from 0 to 100, found number -1']);
    expect(issues(seqs.safeParse({ limit: 5, extra: 1 }))).toEqual(['extra: unknown key; expected only since_seq, since_report_seq, limit']);
    expect(seqs.safeParse(null).success).toBe(false);
  });
});
