import { spawn } from 'node:child_process';
import { connect, type MqttClient } from 'mqtt';
import { onLines } from './lines.js';
import { requireBinary } from './peers.js';
import { WAIT_MS, waitFor } from './wait.js';

export interface Message { topic: string; body: Record<string, unknown>; retain?: boolean }

export interface Subscriber {
  readonly messages: Message[];
  waitFor(what: string, match: (m: Message) => boolean, timeoutMs?: number): Promise<Message>;
  close(): Promise<void>;
}

const parse = (s: string): Record<string, unknown> => {
  try { return JSON.parse(s) as Record<string, unknown>; } catch { return { raw: s }; }
};

function subscriber(messages: Message[], close: () => Promise<void>): Subscriber {
  return {
    messages,
    waitFor: (what, match, timeoutMs = WAIT_MS) =>
      waitFor(what, () => messages.find(match), timeoutMs, () => `received:\n${messages.map((m) => `${m.topic} ${JSON.stringify(m.body)}`).join('\n')}`),
    close,
  };
}

/** The acceptance criterion's own tool: mosquitto_sub (MQTT v5, QoS 1), one `topic payload` line per message. */
export async function mosquittoSub(port: number, topic: string): Promise<Subscriber> {
  const bin = requireBinary('mosquitto_sub', 'mosquitto-clients');
  // -d: mosquitto_sub says when the broker granted the subscription ("received SUBACK"): a message
  // published before that is not delivered, so the caller must not go on before it (a fixed pause
  // is a guess a loaded machine can beat). stdbuf -oL: into a pipe its stdio would hold those
  // lines back until the first message.
  const proc = spawn(requireBinary('stdbuf', 'coreutils'), ['-oL', bin, '-d', '-h', '127.0.0.1', '-p', String(port), '-V', 'mqttv5', '-q', '1', '-v', '-t', topic], { stdio: ['ignore', 'pipe', 'pipe'] });
  const messages: Message[] = [];
  let subscribed = false;
  let err = '';
  onLines(proc.stdout!, (line) => {
    if (/^Client \S+ (sending|received) [A-Z]+/.test(line) || /^Subscribed \(mid: \d+\)/.test(line)) {
      if (/ received SUBACK/.test(line)) subscribed = true;
      return;
    }
    const sp = line.indexOf(' ');
    messages.push({ topic: line.slice(0, sp), body: parse(line.slice(sp + 1)) });
  });
  proc.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  await waitFor(`mosquitto_sub subscribed to ${topic}`, () => {
    if (proc.exitCode !== null) throw new Error(`mosquitto_sub exited: ${err}`);
    return subscribed;
  }, 10_000);
  return subscriber(messages, async () => { proc.kill('SIGTERM'); });
}

/** An mqtt.js (MQTT v5) subscriber: sees retain flags, for status checks. */
export async function mqttSub(url: string, topic: string): Promise<Subscriber> {
  const client: MqttClient = connect(url, { protocolVersion: 5, reconnectPeriod: 200 });
  const messages: Message[] = [];
  client.on('message', (t, payload, packet) => messages.push({ topic: t, body: parse(payload.toString()), retain: packet.retain }));
  await waitFor('test subscriber connected', () => client.connected, 10_000);
  await client.subscribeAsync(topic, { qos: 1 });
  return subscriber(messages, () => client.endAsync(true));
}
