import { createServer, type Server, type Socket } from 'node:net';
import { connect, type MqttClient } from 'mqtt';
import { waitFor } from './wait.js';

/** The cloud side of hub commands: MQTT 5 request/response, replies matched by correlation data. */
export interface CloudCommands {
  /** Publishes `anju/v1/<hub>/cmd/<cmd>` and waits for the reply correlated with `id`. */
  send(hub: string, cmd: string, payload: unknown, id: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** The reply correlated with `id`, if one came (to check that none did). */
  reply(id: string): Record<string, unknown> | undefined;
  /** The underlying client, for what send() does not do (a retained command, another response topic). */
  readonly client: MqttClient;
  close(): Promise<void>;
}

export async function connectCloud(brokerUrl: string, replyTopic = 'cloud/replies'): Promise<CloudCommands> {
  const cloud: MqttClient = connect(brokerUrl, { protocolVersion: 5 });
  const replies = new Map<string, Record<string, unknown>>();
  await waitFor('cloud client', () => cloud.connected, 10_000);
  await cloud.subscribeAsync(replyTopic, { qos: 1 });
  cloud.on('message', (_t, payload, packet) => {
    replies.set(packet.properties?.correlationData?.toString() ?? '', JSON.parse(payload.toString()) as Record<string, unknown>);
  });
  return {
    async send(hub, cmd, payload, id, timeoutMs) {
      cloud.publish(`anju/v1/${hub}/cmd/${cmd}`, JSON.stringify(payload), { qos: 1, properties: { responseTopic: replyTopic, correlationData: Buffer.from(id) } });
      return waitFor(`reply ${id}`, () => replies.get(id), timeoutMs);
    },
    reply: (id) => replies.get(id),
    client: cloud,
    close: () => cloud.endAsync(true),
  };
}

/**
 * A plain TCP listener standing in for an attacker's "broker": it records every byte anyone sends
 * it (an MQTT CONNECT carries the username and password in clear) and answers nothing.
 */
export interface Listener {
  readonly port: number;
  readonly connections: number;
  received(): string;
  close(): Promise<void>;
}

export async function startListener(host = '127.0.0.1'): Promise<Listener> {
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((s) => {
    connections++;
    sockets.add(s);
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : 0,
    get connections() { return connections; },
    received: () => Buffer.concat(chunks).toString('latin1'),
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
