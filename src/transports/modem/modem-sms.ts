import type { ChannelResult, ChannelStatus, InboundMessage, SmsSent } from '../../escalation/contact-channel.js';
import { mapFinal } from './at-errors.js';
import { prefixOf, type Urc } from './at-lines.js';
import { createReassembler } from './concat.js';
import { decodePdu, encodeSubmit, isDelivered } from './pdu.js';
import { notReadyCode } from './registration.js';
import type { ModemCore } from './types.js';

/**
 * SMS over the AT client in PDU mode (TS 27.005 §3.5.1 +CMGS, §3.4.3 +CMGR, §3.5.4 +CMGD, §3.4.2
 * +CMGL): sending concatenated UCS-2 SMS-SUBMITs with a status report requested, and taking in what
 * arrives: +CMTI (a message stored: read it, then delete it so the SIM never fills), +CDS (a status
 * report in the URC itself) and +CDSI (a stored status report).
 */
export function createSms(core: ModemCore, status: () => ChannelStatus, initialised: () => boolean) {
  const { o, at, st } = core;
  const reassembler = createReassembler(o.concatWaitMs);
  /** The concatenation reference of the next long message (one octet, TS 23.040 §9.2.3.24.1). */
  let concatRef = Math.floor(Math.random() * 256);

  const take = (pduHex: string, where: string): void => {
    const d = decodePdu(pduHex);
    if (!d.ok) {
      st.smsUndecodable++;
      o.log.warn({ modem: o.path, where, err: d.error }, 'a message from the modem does not decode; dropped');
      return;
    }
    const at_ = o.now();
    if (d.pdu.type === 'status-report') {
      st.deliveryReports++;
      core.emit({ kind: 'delivery_report', ref: d.pdu.ref, to: d.pdu.to, delivered: isDelivered(d.pdu.status), status: d.pdu.status, at: at_ });
      return;
    }
    const whole = reassembler.offer(d.pdu.from, d.pdu.text, d.pdu.concat, at_);
    if (whole) { st.smsReceived++; core.emit({ kind: 'sms', from: whole.from, text: whole.text, at: at_ }); }
  };

  /** Reads a stored message (or status report), then deletes it whatever it held. */
  const readAndDelete = async (index: number): Promise<void> => {
    const r = await at.send({ cmd: `AT+CMGR=${index}`, timeoutMs: o.commandTimeoutMs, expect: '+CMGR:' });
    core.checkResponsive();
    if (r.ok) {
      const i = r.lines.findIndex((l) => l.toUpperCase().startsWith('+CMGR:'));
      const pdu = i >= 0 ? r.lines[i + 1] : undefined;
      if (pdu !== undefined) take(pdu, `+CMGR ${index}`);
      else { st.smsUndecodable++; o.log.warn({ modem: o.path, index }, '+CMGR answered without a PDU'); }
    }
    const del = await at.send({ cmd: `AT+CMGD=${index}`, timeoutMs: o.commandTimeoutMs });
    if (!del.ok) o.log.warn({ modem: o.path, index, result: del.kind }, 'cannot delete a stored message');
  };

  return {
    async send(to: string, text: string): Promise<ChannelResult<SmsSent>> {
      const s = status();
      if (s.state !== 'ready') { st.smsFailed++; return { ok: false, code: notReadyCode(s), detail: `modem ${s.state}: ${s.detail}` }; }
      const ref = concatRef;
      concatRef = (concatRef + 1) & 0xff;
      const enc = encodeSubmit(to, text, { smsc: o.smsc, concatRef: ref });
      if (!enc.ok) { st.smsFailed++; return { ok: false, code: 'rejected', detail: enc.error }; }
      const refs: number[] = [];
      for (const [i, part] of enc.parts.entries()) {
        const r = await at.send({ cmd: `AT+CMGS=${part.tpduLength}`, timeoutMs: o.smsTimeoutMs, data: part.hex, expect: '+CMGS:' });
        core.checkResponsive();
        const what = `AT+CMGS part ${i + 1}/${enc.parts.length}`;
        if (!r.ok) {
          st.smsFailed++;
          if (r.kind === 'final') return { ok: false, ...mapFinal(r.result, what) };
          return { ok: false, code: r.kind === 'timeout' ? 'timeout' : 'modem_unavailable', detail: `${what}: ${r.kind === 'timeout' ? 'no answer' : 'modem went away'}${refs.length ? ` after ${refs.length} part(s) sent` : ''}` };
        }
        const mr = Number.parseInt(prefixOf(r.lines.find((l) => l.toUpperCase().startsWith('+CMGS:')) ?? '').rest, 10);
        refs.push(Number.isFinite(mr) ? mr : -1);
      }
      st.smsSent++;
      return { ok: true, refs, parts: enc.parts.length };
    },
    onUrc(u: Urc, pdu?: string): void {
      if (u.type === 'cds') { if (pdu !== undefined) take(pdu, '+CDS'); return; }
      // Before the init set PDU mode, +CMGR could answer in text mode, and the message would be deleted
      // undecoded: the init's AT+CMGL=4 reads it instead.
      if ((u.type === 'cmti' || u.type === 'cdsi') && initialised()) void readAndDelete(u.index);
    },
    /** Messages that came while the hub was not listening: read and delete each (AT+CMGL=4: all, PDU mode). */
    async readStored(): Promise<void> {
      const r = await at.send({ cmd: 'AT+CMGL=4', timeoutMs: o.smsTimeoutMs, expect: '+CMGL:' });
      core.checkResponsive();
      if (!r.ok) return;
      const indexes: number[] = [];
      r.lines.forEach((l, i) => {
        if (!l.toUpperCase().startsWith('+CMGL:')) return;
        const idx = Number.parseInt(prefixOf(l).rest, 10);
        const pdu = r.lines[i + 1];
        if (pdu !== undefined && !pdu.startsWith('+')) take(pdu, `+CMGL ${idx}`);
        if (Number.isFinite(idx)) indexes.push(idx);
      });
      for (const i of indexes) await at.send({ cmd: `AT+CMGD=${i}`, timeoutMs: o.commandTimeoutMs });
    },
    expire(): InboundMessage[] {
      return reassembler.expire(o.now()).map((m) => ({ kind: 'sms' as const, from: m.from, text: m.text, at: o.now() }));
    },
  };
}
