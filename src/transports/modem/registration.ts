import type { ChannelStatus } from '../../escalation/contact-channel.js';

/**
 * What the modem knows about SIM and network, and the ChannelStatus that follows from it (pure).
 * Registration is <stat> of +CREG (circuit switched: calls, SMS on 2G/3G) and +CEREG (EPS: LTE,
 * SMS over SGs/IMS), TS 27.007 §7.2 and §10.1.22: either one registered is enough for SMS.
 */

export type SimState = 'unknown' | 'ready' | 'missing' | 'pin' | 'puk' | 'failure';

export interface ModemFacts {
  open: boolean;
  /** The init sequence finished since the port opened or the module restarted. */
  initialised: boolean;
  sim: SimState;
  simDetail: string;
  creg: number | null;
  cereg: number | null;
  rssiDbm: number | null;
  operator: string | null;
  /** Why the module is not usable (no answer, init failed), when it is not. */
  problem: string | null;
}

export const initialFacts = (): ModemFacts => ({ open: false, initialised: false, sim: 'unknown', simDetail: '', creg: null, cereg: null, rssiDbm: null, operator: null, problem: 'port not open yet' });

const REG: Readonly<Record<number, string>> = {
  0: 'not registered, not searching', 1: 'registered, home network', 2: 'not registered, searching',
  3: 'registration denied', 4: 'unknown', 5: 'registered, roaming',
};

const registered = (s: number | null): boolean => s === 1 || s === 5;

/** +CPIN: <code> (TS 27.007 §8.3) to a SIM state. */
export function simStateOf(code: string): SimState {
  const c = code.trim().toUpperCase();
  if (c === 'READY') return 'ready';
  if (c === 'SIM PIN') return 'pin';
  if (c === 'SIM PUK') return 'puk';
  if (c === 'NOT INSERTED' || c === 'NOT READY') return 'missing';
  return 'failure';
}

export function channelStatus(f: ModemFacts): ChannelStatus {
  const base = { rssiDbm: f.rssiDbm, operator: f.operator };
  if (!f.open) return { state: 'unavailable', ...base, detail: `modem not reachable: ${f.problem ?? 'port closed'}` };
  if (f.sim === 'missing' || f.sim === 'failure') return { state: 'sim_missing', ...base, detail: f.simDetail || 'SIM not inserted' };
  if (f.sim === 'pin' || f.sim === 'puk') return { state: 'sim_pin_required', ...base, detail: f.simDetail || (f.sim === 'puk' ? 'SIM PUK required' : 'SIM PIN required') };
  if (!f.initialised) return { state: 'unavailable', ...base, detail: `modem not initialised: ${f.problem ?? 'starting'}` };
  const reg = `CS: ${f.creg === null ? 'unknown' : REG[f.creg] ?? `stat ${f.creg}`}; EPS: ${f.cereg === null ? 'unknown' : REG[f.cereg] ?? `stat ${f.cereg}`}`;
  if (registered(f.creg) || registered(f.cereg)) {
    const roaming = f.creg === 5 || f.cereg === 5;
    return { state: 'ready', ...base, detail: `${roaming ? 'registered, roaming' : 'registered, home network'}${f.operator ? ` on ${f.operator}` : ''}${f.rssiDbm === null ? '' : `, ${f.rssiDbm} dBm`}` };
  }
  if (f.creg === 2 || f.cereg === 2 || (f.creg === null && f.cereg === null) || f.creg === 4 || f.cereg === 4) return { state: 'searching', ...base, detail: reg };
  return { state: 'no_network', ...base, detail: reg };
}

/** The failure code a send or call gets while the channel is not ready. */
export function notReadyCode(s: ChannelStatus): 'sim_missing' | 'sim_pin_required' | 'no_network' | 'modem_unavailable' {
  switch (s.state) {
    case 'sim_missing': return 'sim_missing';
    case 'sim_pin_required': return 'sim_pin_required';
    case 'no_network': case 'searching': return 'no_network';
    default: return 'modem_unavailable';
  }
}
