import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { EventDraft } from '../core/event.js';
import type { ContactChannel } from '../escalation/contact-channel.js';
import { aplayPort } from '../escalation/prompt-player.js';
import { createSounders, type SirenPort } from '../escalation/sounders.js';
import type { OpenAlarm } from '../store/alarm-store.js';
import type { Db } from '../store/database.js';
import { createEscalationStore } from '../store/escalation-store.js';
import { createEscalationRunner, type EscalationRunner } from './escalation.js';

/**
 * Builds the escalation runner from the config's `escalation:` block (none without it): the ports
 * it drives (siren through the transport that reaches the siren device, prompts through aplay, the
 * contact channel the daemon was given) and what it reads of the daemon (alarms, uplink, acks).
 */
export function setupEscalation(o: {
  config: Readonly<Config>;
  db: Db;
  clock: Clock;
  log: Logger;
  channel: () => ContactChannel | null;
  siren: SirenPort;
  raise: (draft: EventDraft) => void;
  write: <T>(where: string, fn: () => T) => T;
  openAlarms: () => readonly OpenAlarm[];
  ack: (alarmId: string, by: string) => void;
  uplinkConnected: () => boolean;
  lastCloudAckSeq: () => number | null;
}): EscalationRunner | null {
  const p = o.config.escalation;
  if (!p) return null;
  const play = p.prompts ? aplayPort({ player: p.prompts.player, device: p.prompts.alsa_device }) : null;
  const fmt = new Intl.DateTimeFormat('en-GB', { ...(o.config.hub.timezone ? { timeZone: o.config.hub.timezone } : {}), hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return createEscalationRunner({
    policy: p, store: createEscalationStore(o.db), channel: o.channel, sounders: createSounders(p, { siren: p.siren ? o.siren : null, play }),
    now: () => o.clock.now(), raise: o.raise, write: o.write, openAlarms: o.openAlarms, ack: o.ack, uplinkConnected: o.uplinkConnected,
    // With puback delivery the cloud never acks: its confirmation cannot be waited for, only the
    // operator's acknowledgement and the uplink (docs/escalation.md).
    cloudAckedSeq: () => (o.config.uplink.delivery === 'puback' ? Number.MAX_SAFE_INTEGER : o.lastCloudAckSeq()),
    home: o.config.hub.name ?? o.config.hub.id, localTime: (ts) => fmt.format(ts), log: o.log,
  });
}
