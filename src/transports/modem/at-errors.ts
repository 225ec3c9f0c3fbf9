import type { ChannelFailureCode } from '../../escalation/contact-channel.js';
import type { FinalResult } from './at-lines.js';

/**
 * +CMS ERROR and +CME ERROR codes to the channel's failure codes, with the spec's meaning for the
 * `detail` a technician reads (TS 27.005 §3.2.5: 0-127 are RP causes of TS 24.011 Annex E-2,
 * 128-255 TP-FCS of TS 23.040 §9.2.3.22, 300-500 the ME's own; TS 27.007 §9.2 for +CME).
 */

const CMS: Readonly<Record<number, readonly [ChannelFailureCode, string]>> = {
  1: ['rejected', 'unassigned (unallocated) number'],
  8: ['rejected', 'operator determined barring'],
  10: ['rejected', 'call barred'],
  21: ['rejected', 'short message transfer rejected'],
  27: ['rejected', 'destination out of service'],
  28: ['rejected', 'unidentified subscriber'],
  29: ['rejected', 'facility rejected'],
  30: ['rejected', 'unknown subscriber'],
  38: ['no_network', 'network out of order'],
  41: ['timeout', 'temporary failure'],
  42: ['timeout', 'congestion'],
  47: ['timeout', 'resources unavailable, unspecified'],
  50: ['rejected', 'requested facility not subscribed'],
  69: ['rejected', 'requested facility not implemented'],
  96: ['rejected', 'invalid mandatory information'],
  111: ['rejected', 'protocol error, unspecified'],
  300: ['modem_unavailable', 'ME failure'],
  301: ['rejected', 'SMS service of ME reserved'],
  302: ['rejected', 'operation not allowed'],
  303: ['rejected', 'operation not supported'],
  304: ['rejected', 'invalid PDU mode parameter'],
  310: ['sim_missing', 'SIM not inserted'],
  311: ['sim_pin_required', 'SIM PIN required'],
  313: ['sim_missing', 'SIM failure'],
  314: ['timeout', 'SIM busy'],
  316: ['sim_pin_required', 'SIM PUK required'],
  322: ['rejected', 'memory full'],
  330: ['rejected', 'SMSC address unknown'],
  331: ['no_network', 'no network service'],
  332: ['timeout', 'network timeout'],
  500: ['rejected', 'unknown error'],
};

const CME: Readonly<Record<number, readonly [ChannelFailureCode, string]>> = {
  0: ['modem_unavailable', 'phone failure'],
  3: ['rejected', 'operation not allowed'],
  4: ['rejected', 'operation not supported'],
  10: ['sim_missing', 'SIM not inserted'],
  11: ['sim_pin_required', 'SIM PIN required'],
  12: ['sim_pin_required', 'SIM PUK required'],
  13: ['sim_missing', 'SIM failure'],
  14: ['timeout', 'SIM busy'],
  15: ['sim_missing', 'SIM wrong'],
  16: ['sim_pin_required', 'incorrect password'],
  30: ['no_network', 'no network service'],
  31: ['timeout', 'network timeout'],
  100: ['rejected', 'unknown'],
};

/** Codes 128-255 of +CMS ERROR: the SMSC refused the TPDU (TS 23.040 §9.2.3.22). */
const tpFcs = (code: number): string => (code >= 0xd0 && code <= 0xd5 ? 'SIM storage problem at the recipient' : code >= 0xc0 ? 'the SMSC refused the message (TP-FCS)' : code >= 0xa0 ? 'TPDU not supported (TP-FCS)' : 'telematic interworking not supported (TP-FCS)');

export interface MappedFailure { readonly code: ChannelFailureCode; readonly detail: string }

/** A failed command's final result to a channel failure; `what` names the command for the detail. */
export function mapFinal(r: FinalResult, what: string): MappedFailure {
  if (r.kind === 'cms') {
    const m = r.code === null ? undefined : CMS[r.code];
    const meaning = m?.[1] ?? (r.code !== null && r.code >= 128 && r.code <= 255 ? tpFcs(r.code) : 'unlisted code');
    return { code: m?.[0] ?? 'rejected', detail: `${what}: +CMS ERROR: ${r.text} (${meaning})` };
  }
  if (r.kind === 'cme') {
    const m = r.code === null ? undefined : CME[r.code];
    return { code: m?.[0] ?? 'rejected', detail: `${what}: +CME ERROR: ${r.text} (${m?.[1] ?? 'unlisted code'})` };
  }
  return { code: 'rejected', detail: `${what}: ${r.kind === 'error' ? 'ERROR' : 'OK'}` };
}
