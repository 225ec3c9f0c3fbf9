import type { Logger } from 'pino';
import { ErrorCodes } from '../core/errors.js';
import { createLogLimiter } from '../core/log-limiter.js';
import { CommandErrors, type CommandDispatcher } from './commands.js';
import { CONTRACT_VERSION, MAX_ACK_BYTES, MAX_COMMAND_BYTES, parseAck, type CommandResponse, type topics } from './contract.js';

/**
 * What the cloud sends the hub (acks, commands), taken as hostile input (issue 12): each message's
 * size is checked before anything parses it, and every complaint about one is a counter in status
 * and a rate-limited log line (src/core/log-limiter.ts), so a flood of bad messages costs neither
 * memory nor the journal (finding 13: 20k malformed acks gave 12.5k log lines).
 */
export interface InboundStats {
  /** Acks over MAX_ACK_BYTES and commands over MAX_COMMAND_BYTES: dropped unread. */
  oversized: number;
  /** Acks that do not parse (expected {"seq": N}). */
  malformedAcks: number;
  /** Well-formed but not acted on: an ack for another epoch, a retained command, another hub's response topic, a topic not ours. */
  ignored: number;
}

export interface InboundPacket { retain?: boolean; properties?: { responseTopic?: string; correlationData?: Buffer } }

export interface Inbound {
  onMessage(topic: string, payload: Buffer, packet: InboundPacket): void;
  stats(): InboundStats;
  /** Logs the suppressed counts (at stop). */
  flush(): void;
}

export interface InboundDeps {
  hubId: string;
  topics: ReturnType<typeof topics>;
  epoch: () => string;
  /** A valid ack of this epoch: apply it (null: that sequence not acknowledged in this ack). */
  onAck(seq: number | null, reportSeq: number | null): void;
  commands?: CommandDispatcher | undefined;
  /** Publishes a command's response (QoS 1, with the request's correlation data). */
  respond(topic: string, payload: string, correlationData: Buffer | undefined): void;
  log: Logger;
}

/** Topics and names are the sender's choice too: log a bounded prefix. */
const clip = (s: string): string => (s.length > 200 ? `${s.slice(0, 200)}...` : s);

export function createInbound(d: InboundDeps): Inbound {
  const t = d.topics;
  const st: InboundStats = { oversized: 0, malformedAcks: 0, ignored: 0 };
  const limited = createLogLimiter(d.log);
  const ignore = (key: string, fields: object, msg: string): void => {
    st.ignored++;
    limited.log('warn', key, fields, msg);
  };
  /** Over its limit: counted, logged (limited), never read. */
  const oversized = (kind: 'ack' | 'cmd', topic: string, bytes: number, limitBytes: number): void => {
    st.oversized++;
    limited.log('warn', `oversized:${kind}`, { code: ErrorCodes.UPLINK_OVERSIZED, topic: clip(topic), bytes, limitBytes }, 'ignoring an MQTT message over the size limit (not parsed)');
  };

  function onAck(topic: string, payload: Buffer): void {
    if (payload.length > MAX_ACK_BYTES) return oversized('ack', topic, payload.length, MAX_ACK_BYTES);
    const ack = parseAck(payload);
    if (ack === null) {
      st.malformedAcks++;
      limited.log('warn', 'ack:malformed', { topic, payload: payload.toString('utf8', 0, 200) }, 'ignoring a malformed cloud ack (expected {"seq": N})');
      return;
    }
    if (ack.epoch !== null && ack.epoch !== d.epoch()) {
      // An ack for another database of this hub (the cloud still counts the old one): applying
      // it would mark events done that the cloud never stored.
      return ignore('ack:epoch', { ackEpoch: clip(ack.epoch), epoch: d.epoch(), seq: ack.seq }, 'ignoring a cloud ack for another epoch');
    }
    d.onAck(ack.seq, ack.reportSeq);
  }

  function onCommand(commands: CommandDispatcher, topic: string, payload: Buffer, packet: InboundPacket): void {
    const name = topic.slice(t.cmdPrefix.length);
    if (packet.retain) {
      // A retained command would run again at every reconnect: commands are one-shot.
      return ignore('cmd:retained', { cmd: clip(name) }, 'ignoring a retained command; publish commands without the retain flag');
    }
    const rt = packet.properties?.responseTopic;
    if (rt !== undefined && rt.startsWith('anju/') && !rt.startsWith(`${t.base}/`)) {
      return ignore('cmd:foreign-response-topic', { cmd: clip(name), responseTopic: clip(rt) }, 'ignoring a command whose response topic is another hub\'s');
    }
    const answer = (res: CommandResponse): void => {
      if (!rt) {
        limited.log('warn', 'cmd:no-response-topic', { cmd: clip(name) }, 'command without a response topic: no reply sent');
        return;
      }
      d.respond(rt, JSON.stringify(res), packet.properties?.correlationData);
    };
    if (payload.length > MAX_COMMAND_BYTES) {
      oversized('cmd', topic, payload.length, MAX_COMMAND_BYTES);
      // The size is known without reading the payload; the cloud learns why nothing happened.
      return answer({
        v: CONTRACT_VERSION, hub: d.hubId, cmd: name, ok: false, code: CommandErrors.TOO_LARGE,
        message: `payload of ${payload.length} bytes is over the limit of ${MAX_COMMAND_BYTES} bytes; not read`,
      });
    }
    void commands.handle(name, payload).then(answer);
  }

  return {
    onMessage(topic, payload, packet) {
      if (topic === t.ack) return onAck(topic, payload);
      if (topic.startsWith(t.cmdPrefix) && d.commands) return onCommand(d.commands, topic, payload, packet);
      // Not ours (we subscribe only to our own topics): never act on it.
      ignore('topic:foreign', { topic: clip(topic) }, 'ignoring a message on a topic this hub does not own');
    },
    stats: () => ({ ...st }),
    flush: () => limited.flush(),
  };
}
