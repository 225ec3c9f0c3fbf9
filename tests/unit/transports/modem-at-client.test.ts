import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAtClient } from '../../../src/transports/modem/at-client.js';
import type { Urc } from '../../../src/transports/modem/at-lines.js';

/** The client with a recorded write side and a `modem(...)` that feeds it bytes. */
function setup() {
  const written: string[] = [];
  const urcs: Array<{ urc: Urc; pdu?: string }> = [];
  const at = createAtClient({ write: (t) => written.push(t), onUrc: (urc, pdu) => urcs.push(pdu === undefined ? { urc } : { urc, pdu }), classify: { bootUrcs: ['RDY'], otherUrcs: [] } });
  const modem = (s: string) => at.feed(Buffer.from(s, 'latin1'));
  return { at, written, urcs, modem };
}

describe('AT client', () => {
  beforeEach(() => { vi.useFakeTimers(); });
  afterEach(() => { vi.useRealTimers(); });

  it('one command at a time: the second is written only after the first\'s final result', async () => {
    const { at, written, modem } = setup();
    const a = at.send({ cmd: 'AT+CSQ', timeoutMs: 1000 });
    const b = at.send({ cmd: 'AT+COPS?', timeoutMs: 1000 });
    expect(written).toEqual(['AT+CSQ\r']);
    modem('\r\n+CSQ: 20,99\r\n\r\nOK\r\n');
    expect(await a).toEqual({ ok: true, lines: ['+CSQ: 20,99'] });
    expect(written).toEqual(['AT+CSQ\r', 'AT+COPS?\r']);
    modem('\r\n+COPS: 0,0,"CMCC",7\r\n\r\nOK\r\n');
    expect(await b).toEqual({ ok: true, lines: ['+COPS: 0,0,"CMCC",7'] });
  });

  it('URCs between the lines of a response go to onUrc, not into the response; echo is skipped', async () => {
    const { at, urcs, modem } = setup();
    const r = at.send({ cmd: 'AT+CREG?', timeoutMs: 1000, expect: '+CREG:' });
    modem('AT+CREG?\r\r\n+CMTI: "SM",2\r\n+CREG: 2,5\r\nRING\r\n\r\nOK\r\n');
    expect(await r).toEqual({ ok: true, lines: ['+CREG: 2,5'] });
    expect(urcs.map((u) => u.urc.type)).toEqual(['cmti', 'ring']);
  });

  it('+CDS takes the next line as its PDU, even in the middle of a response', async () => {
    const { at, urcs, modem } = setup();
    const r = at.send({ cmd: 'AT+CSQ', timeoutMs: 1000 });
    modem('\r\n+CDS: 25\r\n0006\r\n+CSQ: 9,99\r\nOK\r\n');
    expect(await r).toEqual({ ok: true, lines: ['+CSQ: 9,99'] });
    expect(urcs).toEqual([{ urc: { type: 'cds', length: 25 }, pdu: '0006' }]);
  });

  it('answers the > prompt with the PDU and Ctrl-Z, once', async () => {
    const { at, written, modem } = setup();
    const r = at.send({ cmd: 'AT+CMGS=18', timeoutMs: 1000, data: '00310000', expect: '+CMGS:' });
    modem('\r\n> ');
    modem('> ');
    expect(written).toEqual(['AT+CMGS=18\r', '00310000\x1a']);
    modem('\r\n+CMGS: 7\r\n\r\nOK\r\n');
    expect(await r).toEqual({ ok: true, lines: ['+CMGS: 7'] });
    expect(at.stats().strayLines).toBe(1);
  });

  it('error results are values with their code', async () => {
    const { at, modem } = setup();
    const r = at.send({ cmd: 'AT+CMGS=18', timeoutMs: 1000, data: '00' });
    modem('\r\n+CMS ERROR: 331\r\n');
    expect(await r).toEqual({ ok: false, kind: 'final', result: { kind: 'cms', code: 331, text: '331' }, lines: [] });
  });

  it('a timeout fails the command, cancels a pending PDU with ESC, counts, and the next command goes', async () => {
    const { at, written, modem } = setup();
    const a = at.send({ cmd: 'AT+CMGS=18', timeoutMs: 1000, data: '00' });
    const b = at.send({ cmd: 'AT', timeoutMs: 1000 });
    await vi.advanceTimersByTimeAsync(1000);
    expect(await a).toEqual({ ok: false, kind: 'timeout', lines: [] });
    expect(written).toEqual(['AT+CMGS=18\r', '\x1b', 'AT\r']);
    expect(at.stats()).toMatchObject({ timeouts: 1, timeoutsInARow: 1 });
    modem('\r\nOK\r\n');
    expect(await b).toEqual({ ok: true, lines: [] });
    expect(at.stats().timeoutsInARow).toBe(0);
  });

  it('ATD: BUSY and NO CARRIER are its final result; for other commands they are URCs', async () => {
    const { at, urcs, modem } = setup();
    const d = at.send({ cmd: 'ATD+8613912345678;', timeoutMs: 1000, dial: true });
    modem('\r\nBUSY\r\n');
    expect(await d).toEqual({ ok: false, kind: 'call-end', reason: 'BUSY', lines: [] });
    const c = at.send({ cmd: 'AT+CLCC', timeoutMs: 1000 });
    modem('\r\nNO CARRIER\r\nOK\r\n');
    expect(await c).toEqual({ ok: true, lines: [] });
    expect(urcs).toEqual([{ urc: { type: 'call-end', reason: 'NO CARRIER' } }]);
  });

  it('reset (the port went) fails the running and the queued commands with closed', async () => {
    const { at } = setup();
    const a = at.send({ cmd: 'AT', timeoutMs: 1000 });
    const b = at.send({ cmd: 'AT+CSQ', timeoutMs: 1000 });
    at.reset();
    expect(await a).toMatchObject({ ok: false, kind: 'closed' });
    expect(await b).toMatchObject({ ok: false, kind: 'closed' });
  });

  it('a throwing URC handler does not stop the reader', async () => {
    const written: string[] = [];
    const at = createAtClient({ write: (t) => written.push(t), onUrc: () => { throw new Error('bug'); }, classify: { bootUrcs: [], otherUrcs: [] } });
    const r = at.send({ cmd: 'AT', timeoutMs: 1000 });
    at.feed(Buffer.from('\r\nRING\r\nOK\r\n'));
    expect(await r).toEqual({ ok: true, lines: [] });
  });
});
