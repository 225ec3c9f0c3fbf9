import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePdu, encodeSubmit, smsParts, splitUnits, UCS2_PART_UNITS, UCS2_SINGLE_UNITS } from '../../../src/transports/modem/pdu.js';
import { decodeSemiOctets, encodeAddress, encodeSemiOctets } from '../../../src/transports/modem/pdu-address.js';
import { gsm7ToText, unpackSeptets } from '../../../src/transports/modem/gsm7.js';
import { createReassembler, MAX_OPEN, MISSING_PART } from '../../../src/transports/modem/concat.js';
import { decodeSubmit } from '../../helpers/submit-pdu.js';

const encodeOk = (to: string, text: string, concatRef = 7) => {
  const r = encodeSubmit(to, text, { concatRef });
  if (!r.ok) throw new Error(r.error);
  return r.parts;
};
/** The independent decoder's view of every part, joined. */
const roundTrip = (to: string, text: string) => encodeOk(to, text).map((p) => ({ ...decodeSubmit(p.hex), announced: p.tpduLength }));

describe('semi-octet phone numbers (TS 23.040 §9.1.2.5)', () => {
  it('swaps digits and pads an odd count with F', () => {
    expect(encodeSemiOctets('8613912345678')).toEqual([0x68, 0x31, 0x19, 0x32, 0x54, 0x76, 0xf8]);
    expect(encodeSemiOctets('1234')).toEqual([0x21, 0x43]);
    expect(decodeSemiOctets(Uint8Array.from([0x68, 0x31, 0x19, 0x32, 0x54, 0x76, 0xf8]), 13)).toBe('8613912345678');
  });
  it('international numbers get type 0x91 and the digit count, national ones 0x81', () => {
    expect(encodeAddress('+8613912345678')).toEqual([13, 0x91, 0x68, 0x31, 0x19, 0x32, 0x54, 0x76, 0xf8]);
    expect(encodeAddress('10086')).toEqual([5, 0x81, 0x01, 0x80, 0xf6]);
  });
  it('round-trips any digit string', () => {
    fc.assert(fc.property(fc.stringMatching(/^[0-9]{1,20}$/), (d) => decodeSemiOctets(Uint8Array.from(encodeSemiOctets(d)), d.length) === d));
  });
});

describe('SMS-SUBMIT in UCS-2 (checked with an independent decoder)', () => {
  it('"火警：请立即离开" is one part, UCS-2, status report requested, 24 h validity', () => {
    const [p, ...rest] = roundTrip('+8613912345678', '火警：请立即离开');
    expect(rest).toEqual([]);
    expect(p).toMatchObject({ smsc: null, to: '+8613912345678', toa: 0x91, dcs: 0x08, statusReportRequested: true, udhi: false, validityPeriod: 0xa7, concat: null, text: '火警：请立即离开' });
    expect(p!.tpduLength).toBe(p!.announced);
  });
  it('the exact hex of a short message, field by field', () => {
    // 00 SMSC of the SIM | 31 SUBMIT+VPF relative+SRR | 00 MR | 0D 91 6831193254 76F8 | 00 PID | 08 DCS | A7 VP | 02 UDL | 0031 "1"
    expect(encodeOk('+8613912345678', '1')[0]!.hex).toBe('0031000D91683119325476F80008A7020031');
  });
  it('70 code units fit one part; 71 need two of at most 67', () => {
    expect(roundTrip('+861', 'a'.repeat(UCS2_SINGLE_UNITS))).toHaveLength(1);
    const two = roundTrip('+861', 'b'.repeat(UCS2_SINGLE_UNITS + 1));
    expect(two.map((p) => p.text.length)).toEqual([67, 4]);
    expect(two.map((p) => p.concat)).toEqual([{ ref: 7, total: 2, seq: 1 }, { ref: 7, total: 2, seq: 2 }]);
    expect(roundTrip('+861', 'c'.repeat(134)).map((p) => p.text.length)).toEqual([67, 67]);
    expect(roundTrip('+861', 'c'.repeat(135)).map((p) => p.text.length)).toEqual([67, 67, 1]);
  });
  it('a long Chinese message needs 3 parts and decodes to the exact text', () => {
    const text = '火警：请立即离开房间，不要乘坐电梯。'.repeat(8); // 144 characters
    const parts = roundTrip('+8613912345678', text);
    expect(parts).toHaveLength(3);
    expect(parts.map((p) => p.text).join('')).toBe(text);
    for (const p of parts) { expect(p.udhi).toBe(true); expect(p.tpduLength).toBe(p.announced); }
  });
  it('never splits a surrogate pair (emoji) across parts', () => {
    const text = `${'x'.repeat(66)}🔥${'y'.repeat(10)}`; // the emoji's high half is unit 67
    const parts = smsParts(text);
    expect(parts.map((p) => p.length)).toEqual([66, 12]);
    expect(parts.join('')).toBe(text);
    expect(splitUnits('🔥🔥🔥', 3)).toEqual(['🔥', '🔥', '🔥']);
  });
  it('any text round-trips through the independent decoder, within 140 octets per part', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 400 }), (text) => {
      const parts = roundTrip('+8613912345678', text);
      expect(parts.map((p) => p.text).join('')).toBe(text);
      if (parts.length > 1) expect(new Set(parts.map((p) => p.concat!.total))).toEqual(new Set([parts.length]));
    }), { numRuns: 300 });
  });
  it('refuses a bad number, an empty text and a bad SMSC as values', () => {
    expect(encodeSubmit('12ab', 'x', { concatRef: 0 })).toMatchObject({ ok: false, error: expect.stringContaining('recipient') });
    expect(encodeSubmit('+861', '', { concatRef: 0 })).toMatchObject({ ok: false });
    expect(encodeSubmit('+861', 'x', { concatRef: 0, smsc: 'smsc' })).toMatchObject({ ok: false, error: expect.stringContaining('smsc') });
    // * and # are supplementary-service codes (call forwarding **21*...#): never from a config the cloud may send.
    expect(encodeSubmit('**21*13912345678#', 'x', { concatRef: 0 })).toMatchObject({ ok: false });
  });
  it('writes a configured SMSC in front of the TPDU; the length excludes it', () => {
    const r = encodeSubmit('+8613912345678', '1', { concatRef: 0, smsc: '+8613800100500' });
    if (!r.ok) throw new Error(r.error);
    const d = decodeSubmit(r.parts[0]!.hex);
    expect(d.smsc).toBe('+8613800100500');
    expect(d.tpduLength).toBe(r.parts[0]!.tpduLength);
  });
});

describe('decoding hostile PDUs', () => {
  it('never throws, whatever the bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
      const r = decodePdu(Buffer.from(b).toString('hex'));
      expect(typeof r.ok).toBe('boolean');
    }), { numRuns: 2000 });
  });
  it('names what is wrong', () => {
    expect(decodePdu('zz')).toEqual({ ok: false, error: 'PDU: expected hex digits' });
    expect(decodePdu('0004')).toMatchObject({ ok: false, error: expect.stringContaining('originating address') });
    expect(decodePdu('0001')).toMatchObject({ ok: false, error: expect.stringContaining('TP-MTI 1') });
  });
});

describe('GSM 7-bit (TS 23.038)', () => {
  it('unpacks septets and the extension table', () => {
    expect(gsm7ToText(unpackSeptets(Uint8Array.from(Buffer.from('E8329BFD4697D9EC37', 'hex')), 10))).toBe('hellohello');
    expect(gsm7ToText([0x1b, 0x65, 0x00, 0x11])).toBe('€@_');
  });
  it('skips the fill bits after a user data header', () => {
    // UDH 05 00 03 01 02 01 (6 octets = 48 bits) + 1 fill bit; "Hi" starts at septet 7.
    const septets = [0, 0, 0, 0, 0, 0, 0, 0x48, 0x69];
    const bits = septets.map((s, k) => BigInt(s) << BigInt(k * 7)).reduce((a, c) => a | c, 0n);
    const bytes = Uint8Array.from({ length: 8 }, (_, k) => Number((bits >> BigInt(k * 8)) & 0xffn));
    const header = [0x05, 0x00, 0x03, 0x01, 0x02, 0x01];
    header.forEach((h, k) => { bytes[k] = h; });
    const pdu = `00440D91683119325476F8000062217081000023${'09'}${Buffer.from(bytes).toString('hex')}`;
    expect(decodePdu(pdu)).toEqual({ ok: true, pdu: { type: 'deliver', from: '+8613912345678', text: 'Hi', concat: { ref: 1, total: 2, seq: 1 } } });
  });
});

describe('concatenated reply reassembly', () => {
  it('joins parts in any order, per sender and reference', () => {
    const r = createReassembler(60_000);
    expect(r.offer('+861', '二', { ref: 5, total: 2, seq: 2 }, 0)).toBeNull();
    expect(r.offer('+862', 'x', { ref: 5, total: 2, seq: 1 }, 0)).toBeNull();
    expect(r.offer('+861', '一', { ref: 5, total: 2, seq: 1 }, 1)).toEqual({ from: '+861', text: '一二', complete: true });
    expect(r.pending).toBe(1);
  });
  it('surfaces an incomplete message after the wait, gaps marked', () => {
    const r = createReassembler(1000);
    r.offer('+861', 'a', { ref: 1, total: 3, seq: 1 }, 0);
    r.offer('+861', 'c', { ref: 1, total: 3, seq: 3 }, 0);
    expect(r.expire(999)).toEqual([]);
    expect(r.expire(1000)).toEqual([{ from: '+861', text: `a${MISSING_PART}c`, complete: false }]);
  });
  it('holds at most MAX_OPEN messages: lone parts cannot grow memory, the oldest is surfaced', () => {
    const r = createReassembler(60_000);
    for (let i = 0; i <= MAX_OPEN; i++) expect(r.offer('+861', `p${i}`, { ref: i, total: 2, seq: 1 }, i)).toBeNull();
    expect(r.pending).toBe(MAX_OPEN);
    expect(r.expire(MAX_OPEN)).toEqual([{ from: '+861', text: `p0${MISSING_PART}`, complete: false }]);
  });
});
