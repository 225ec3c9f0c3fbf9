/**
 * An SMS-SUBMIT decoder written for the tests from 3GPP TS 23.040 §9.2.2.2 and TS 27.005 §3.5.1,
 * independent of the hub's encoder (src/transports/modem/pdu.ts): it reads the octets field by field
 * the way the spec's table lists them, so a PDU the hub sends is checked against the spec, not
 * against the code that wrote it. Throws on anything it does not expect: a test must fail loudly.
 */
export interface DecodedSubmit {
  smsc: string | null;
  statusReportRequested: boolean;
  udhi: boolean;
  to: string;
  toa: number;
  dcs: number;
  validityPeriod: number | null;
  /** Concatenation IE (IEI 00 or 08), when present. */
  concat: { ref: number; total: number; seq: number } | null;
  text: string;
  /** TPDU octets (what AT+CMGS=<length> must say). */
  tpduLength: number;
}

function digits(octets: number[], count: number): string {
  let s = '';
  for (const o of octets) {
    s += String(o & 0x0f);
    if ((o >> 4) !== 0x0f) s += String(o >> 4);
  }
  if (s.length !== count) throw new Error(`address: ${count} digits announced, ${s.length} decoded`);
  return s;
}

export function decodeSubmit(hex: string): DecodedSubmit {
  if (!/^([0-9A-F]{2})+$/i.test(hex)) throw new Error(`not hex octets: ${hex}`);
  const b: number[] = [];
  for (let i = 0; i < hex.length; i += 2) b.push(parseInt(hex.slice(i, i + 2), 16));
  let i = 0;
  const next = (what: string): number => {
    if (i >= b.length) throw new Error(`PDU ends before ${what}`);
    return b[i++]!;
  };
  const smscLen = next('SMSC length');
  let smsc: string | null = null;
  if (smscLen > 0) {
    const type = next('SMSC type');
    const oct = b.slice(i, i + smscLen - 1);
    i += smscLen - 1;
    const d = oct.map((o) => `${o & 0x0f}${o >> 4 === 0x0f ? '' : o >> 4}`).join('');
    smsc = type === 0x91 ? `+${d}` : d;
  }
  const tpduStart = i;
  const first = next('first octet');
  if ((first & 0x03) !== 0x01) throw new Error(`TP-MTI ${first & 0x03}: not an SMS-SUBMIT`);
  const vpf = (first >> 3) & 0x03;
  next('TP-MR');
  const daLen = next('TP-DA length');
  const toa = next('TP-DA type');
  const daOct = b.slice(i, i + Math.ceil(daLen / 2));
  i += Math.ceil(daLen / 2);
  const num = digits(daOct, daLen);
  const pid = next('TP-PID');
  if (pid !== 0) throw new Error(`TP-PID ${pid}: expected 0 (plain SMS)`);
  const dcs = next('TP-DCS');
  let vp: number | null = null;
  if (vpf === 2) vp = next('TP-VP');
  else if (vpf !== 0) throw new Error(`TP-VPF ${vpf}: only relative (2) or none (0) expected`);
  const udl = next('TP-UDL');
  const ud = b.slice(i);
  if ((dcs & 0x0c) !== 0x08) throw new Error(`TP-DCS 0x${dcs.toString(16)}: expected UCS-2`);
  if (ud.length !== udl) throw new Error(`TP-UDL ${udl} but ${ud.length} octets of user data follow`);
  let concat: DecodedSubmit['concat'] = null;
  let body = ud;
  if (first & 0x40) {
    const udhl = ud[0]!;
    const h = ud.slice(1, 1 + udhl);
    for (let k = 0; k < h.length;) {
      const iei = h[k]!; const len = h[k + 1]!;
      if (iei === 0x00) concat = { ref: h[k + 2]!, total: h[k + 3]!, seq: h[k + 4]! };
      if (iei === 0x08) concat = { ref: h[k + 2]! * 256 + h[k + 3]!, total: h[k + 4]!, seq: h[k + 5]! };
      k += 2 + len;
    }
    body = ud.slice(1 + udhl);
  }
  if (body.length % 2 !== 0) throw new Error('UCS-2 user data of odd length');
  if (ud.length > 140) throw new Error(`user data of ${ud.length} octets: more than 140`);
  let text = '';
  for (let k = 0; k < body.length; k += 2) text += String.fromCharCode(body[k]! * 256 + body[k + 1]!);
  return {
    smsc, statusReportRequested: (first & 0x20) !== 0, udhi: (first & 0x40) !== 0, to: toa === 0x91 ? `+${num}` : num, toa, dcs,
    validityPeriod: vp, concat, text, tpduLength: b.length - tpduStart,
  };
}
