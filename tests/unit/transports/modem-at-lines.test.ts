import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyLine, createAtFramer, csqToDbm, MAX_LINE } from '../../../src/transports/modem/at-lines.js';
import { mapFinal } from '../../../src/transports/modem/at-errors.js';
import { channelStatus, initialFacts } from '../../../src/transports/modem/registration.js';

const o = { bootUrcs: ['RDY'], otherUrcs: ['+QIND', 'SMS DONE'] };
const lines = (s: string) => createAtFramer().push(Buffer.from(s, 'latin1'));

describe('AT line framer', () => {
  it('frames CR LF lines, skips empty ones, and sees the > prompt without a line end', () => {
    expect(lines('\r\nOK\r\n\r\n+CMTI: "SM",3\r\n\r\n> ')).toEqual([{ kind: 'line', text: 'OK' }, { kind: 'line', text: '+CMTI: "SM",3' }, { kind: 'prompt' }]);
  });
  it('keeps a line split over chunks', () => {
    const f = createAtFramer();
    expect(f.push(Buffer.from('+CSQ: 2'))).toEqual([]);
    expect(f.push(Buffer.from('0,99\r\n'))).toEqual([{ kind: 'line', text: '+CSQ: 20,99' }]);
  });
  it('drops garbage bytes and overlong lines, counted, and keeps going', () => {
    const f = createAtFramer();
    const out = f.push(Buffer.concat([Buffer.from([0x00, 0xff, 0x80]), Buffer.from('O'), Buffer.from([0xfe]), Buffer.from(`K\r\n${'x'.repeat(MAX_LINE + 5)}\r\nRING\r\n`)]));
    expect(out).toEqual([{ kind: 'line', text: 'OK' }, { kind: 'line', text: 'RING' }]);
    expect(f.stats()).toEqual({ garbageBytes: 4, overlongLines: 1 });
  });
  it('never throws on any bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 3000 }), (b) => { createAtFramer().push(b); }));
  });
});

describe('result and URC classifier (V.250, TS 27.005/27.007)', () => {
  it.each([
    ['OK', { kind: 'final', result: { kind: 'ok' } }],
    ['ERROR', { kind: 'final', result: { kind: 'error' } }],
    ['+CME ERROR: 10', { kind: 'final', result: { kind: 'cme', code: 10, text: '10' } }],
    ['+CMS ERROR: 330', { kind: 'final', result: { kind: 'cms', code: 330, text: '330' } }],
    ['+CMTI: "SM",3', { kind: 'urc', urc: { type: 'cmti', mem: 'SM', index: 3 } }],
    ['+CDSI: "SR",1', { kind: 'urc', urc: { type: 'cdsi', mem: 'SR', index: 1 } }],
    ['+CDS: 26', { kind: 'urc', urc: { type: 'cds', length: 26 } }],
    ['RING', { kind: 'urc', urc: { type: 'ring' } }],
    ['+CLIP: "+8613912345678",145,,,,0', { kind: 'urc', urc: { type: 'clip', number: '+8613912345678' } }],
    ['+CLIP: "",128', { kind: 'urc', urc: { type: 'clip', number: null } }],
    ['+CREG: 5', { kind: 'urc', urc: { type: 'reg', which: 'creg', stat: 5 } }],
    ['+CREG: 1,"1A2B","01C2D3E4",7', { kind: 'urc', urc: { type: 'reg', which: 'creg', stat: 1 } }],
    ['+CREG: 0,3', { kind: 'urc', urc: { type: 'reg', which: 'creg', stat: 3 } }],
    ['+CEREG: 2,1,"1A2B","01C2D3E4",7', { kind: 'urc', urc: { type: 'reg', which: 'cereg', stat: 1 } }],
    ['NO CARRIER', { kind: 'urc', urc: { type: 'call-end', reason: 'NO CARRIER' } }],
    ['BUSY', { kind: 'urc', urc: { type: 'call-end', reason: 'BUSY' } }],
    ['RDY', { kind: 'urc', urc: { type: 'boot', text: 'RDY' } }],
    ['+QIND: SMS DONE', { kind: 'urc', urc: { type: 'other', text: '+QIND: SMS DONE' } }],
    ['+CSQ: 20,99', { kind: 'info', text: '+CSQ: 20,99' }],
    ['0891683108', { kind: 'info', text: '0891683108' }],
    ['+CMTI: "SM",x', { kind: 'info', text: '+CMTI: "SM",x' }],
  ])('%s', (line, want) => expect(classifyLine(line, o)).toEqual(want));

  it('+CSQ to dBm, 99 unknown', () => {
    expect(csqToDbm('0,99')).toBe(-113);
    expect(csqToDbm('20,99')).toBe(-73);
    expect(csqToDbm('31,0')).toBe(-51);
    expect(csqToDbm('99,99')).toBeNull();
  });
});

describe('error codes to channel failures, with the spec\'s meaning', () => {
  it.each([
    [{ kind: 'cms', code: 330, text: '330' }, 'rejected', '+CMS ERROR: 330 (SMSC address unknown)'],
    [{ kind: 'cms', code: 331, text: '331' }, 'no_network', 'no network service'],
    [{ kind: 'cms', code: 310, text: '310' }, 'sim_missing', 'SIM not inserted'],
    [{ kind: 'cms', code: 42, text: '42' }, 'timeout', 'congestion'],
    [{ kind: 'cms', code: 208, text: '208' }, 'rejected', 'SIM storage problem'],
    [{ kind: 'cme', code: 11, text: '11' }, 'sim_pin_required', 'SIM PIN required'],
    [{ kind: 'cme', code: 999, text: '999' }, 'rejected', 'unlisted code'],
  ] as const)('%o', (r, code, detail) => {
    const m = mapFinal(r, 'AT+CMGS');
    expect(m.code).toBe(code);
    expect(m.detail).toContain(detail);
  });
});

describe('channel status from what the modem said', () => {
  const f = (x: Partial<ReturnType<typeof initialFacts>>) => channelStatus({ ...initialFacts(), open: true, initialised: true, sim: 'ready', problem: null, ...x });
  it.each([
    [{ open: false }, 'unavailable'],
    [{ sim: 'missing' as const }, 'sim_missing'],
    [{ sim: 'pin' as const }, 'sim_pin_required'],
    [{ creg: 1 }, 'ready'],
    [{ creg: 0, cereg: 5 }, 'ready'],
    [{ creg: 2, cereg: 0 }, 'searching'],
    [{ creg: 3, cereg: 3 }, 'no_network'],
    [{ creg: 0, cereg: 0 }, 'no_network'],
  ])('%o -> %s', (x, state) => expect(f(x).state).toBe(state));
  it('says roaming, operator and signal when ready', () => {
    expect(f({ creg: 5, operator: 'CHINA MOBILE', rssiDbm: -73 }).detail).toBe('registered, roaming on CHINA MOBILE, -73 dBm');
  });
});
