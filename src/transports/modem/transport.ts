import type { Logger } from 'pino';
import type { EventDraft } from '../../core/event.js';
import type { Catalogue } from '../../drivers/catalogue.js';
import type { ChannelStatus, ContactChannel } from '../../escalation/contact-channel.js';
import type { CreateTransport } from '../transport.js';
import type { ModemSettings } from './config.js';
import { createModem } from './modem.js';
import { openSerialPort } from '../serial/system-port.js';
import { parseModemProfile } from './profile.js';
import type { Modem, ModemPort, OpenModemPort } from './types.js';

/** Real hardware (and socat ptys): exclusive open, so two daemons never share a modem. */
export const openSystemModemPort: OpenModemPort = ({ path, baudRate }) => openSerialPort({ path, baudRate }) as unknown as ModemPort;

export interface ModemDeps {
  readonly catalogue: Catalogue;
  readonly log: Logger;
  /** Wall clock, ms since the epoch. */
  readonly now: () => number;
  readonly openPort?: OpenModemPort;
  readonly onStatus?: (s: ChannelStatus) => void;
}

/**
 * The modem of a validated `modem:` section as a ContactChannel (plus start/stop/stats): what the
 * daemon's modem transport runs, and what the escalation ladder (src/escalation/) is handed.
 * Not started: the caller calls start().
 */
export function openModemChannel(s: ModemSettings, deps: ModemDeps): Modem {
  const entry = deps.catalogue.get(s.model);
  const parsed = entry ? parseModemProfile(entry.profile) : { ok: false as const, errors: [`model ${s.model} is not in the catalogue`] };
  // The config was validated against this catalogue and profile-check.ts checked the profile: a
  // failure here is a broken build, said loudly at start.
  if (!parsed.ok) throw new Error(`modem model ${s.model}: ${parsed.errors.join('; ')}`);
  const profile = parsed.profile;
  return createModem({
    path: s.port, baudRate: s.baud ?? profile.baudRate, model: s.model, profile, pin: s.pin ?? null, smsc: s.smsc ?? null,
    checkIntervalMs: s.check_s * 1000, commandTimeoutMs: s.command_timeout_s * 1000, smsTimeoutMs: s.sms_timeout_s * 1000,
    promptMs: s.prompt_s * 1000, promptDir: s.prompt_dir ?? profile.promptDir, concatWaitMs: s.concat_wait_s * 1000,
    reconnect: { minMs: s.reconnect_min_s * 1000, maxMs: s.reconnect_max_s * 1000, jitter: 'none' },
    openPort: deps.openPort ?? openSystemModemPort, log: deps.log, now: deps.now,
    ...(deps.onStatus ? { onStatus: deps.onStatus } : {}),
  });
}

/** The `hub.modem_status` event (docs/uplink.md §5): the modem's state once it has settled. */
export function modemStatusEvent(s: ChannelStatus, model: string): EventDraft {
  return {
    type: 'hub.modem_status', severity: s.state === 'ready' ? 'info' : 'warning', device: null, state: 'info',
    data: { state: s.state, detail: s.detail, rssi_dbm: s.rssiDbm, operator: s.operator, model },
  };
}

/**
 * The daemon's modem: opened when the config has a `modem:` section; its status in get-status
 * (`modem`), its state changes as `hub.modem_status` once settled (status_settle_s), and its
 * channel for the escalation ladder (`channel()`).
 */
export const createModemTransport: CreateTransport = ({ config, catalogue, sink, clock, log }) => {
  const s = config.modem!;
  let reported: ChannelStatus['state'] | null = null;
  /** The state waiting to settle, and its timer. A detail change (signal, operator) does not restart it. */
  let pending: ChannelStatus['state'] | null = null;
  let settle: NodeJS.Timeout | null = null;
  const onStatus = (st: ChannelStatus): void => {
    if (st.state === pending) return;
    if (settle) clearTimeout(settle);
    settle = null;
    pending = null;
    if (st.state === reported) return;
    pending = st.state;
    settle = setTimeout(() => {
      settle = null;
      pending = null;
      const now = modem.status(); // what holds now, after the settle time
      if (now.state === reported) return;
      reported = now.state;
      sink.raise(modemStatusEvent(now, s.model));
    }, s.status_settle_s * 1000);
  };
  const modem = openModemChannel(s, { catalogue, log: log.child({ mod: 'modem' }), now: () => clock.now(), onStatus });
  const channel: ContactChannel = modem;
  return {
    start: () => modem.start(),
    async stop() { if (settle) clearTimeout(settle); await modem.stop(); },
    status: () => ({ devices: [], modem: modem.stats() }),
    channel: () => channel,
  };
};
