import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { connect, type MqttClient } from 'mqtt';

/** The demo's stand-in for the cloud: an embedded broker (aedes) and a subscriber on the hub's topics. */
export interface DemoCloud {
  readonly received: Array<{ topic: string; body: Record<string, unknown> }>;
  stop(): Promise<void>;
}

export async function startDemoCloud(port: number, hubId: string, onMessage: (topic: string, body: Record<string, unknown>) => void): Promise<DemoCloud> {
  const broker = await Aedes.createBroker();
  const server: Server = createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(err.code === 'EADDRINUSE' ? `port ${port} is in use: stop what runs there, or change uplink.url in config/demo.yaml` : err.message)));
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const received: DemoCloud['received'] = [];
  const sub: MqttClient = connect(`mqtt://127.0.0.1:${port}`, { protocolVersion: 4, clientId: 'demo-cloud', reconnectPeriod: 500 });
  await new Promise<void>((resolve) => sub.once('connect', () => sub.subscribe(`anju/v1/${hubId}/#`, { qos: 1 }, () => resolve())));
  sub.on('message', (topic, payload) => {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(payload.toString()) as Record<string, unknown>;
    } catch {
      body = { raw: payload.toString() };
    }
    received.push({ topic, body });
    onMessage(topic, body);
  });
  return {
    received,
    async stop() {
      await new Promise<void>((resolve) => sub.end(true, {}, () => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
