import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { createCloudConsumer, type CloudConsumer, type ConsumedEvent } from '../../examples/cloud-consumer/consumer.js';

/**
 * The demo's stand-in for the cloud: an embedded broker (aedes) and the reference cloud consumer,
 * which stores the events, deduplicates them and acknowledges them to the hub (cloud_ack delivery).
 */
export interface DemoCloud {
  readonly consumer: CloudConsumer;
  stop(): Promise<void>;
}

export async function startDemoCloud(
  port: number,
  on: { event: (e: ConsumedEvent, duplicate: boolean) => void; status: (hub: string, body: Record<string, unknown>) => void },
): Promise<DemoCloud> {
  const broker = await Aedes.createBroker();
  const server: Server = createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(err.code === 'EADDRINUSE' ? `port ${port} is in use: stop what runs there, or change uplink.url in config/demo.yaml` : err.message)));
    server.listen(port, '127.0.0.1', () => resolve());
  });
  // aedes speaks MQTT 3.1.1 only, so no shared subscription here; the hub's config says so too.
  const consumer = createCloudConsumer({ url: `mqtt://127.0.0.1:${port}`, dbPath: ':memory:', protocolVersion: 4, clientId: 'demo-cloud', onEvent: on.event, onStatus: on.status });
  await consumer.start();
  return {
    consumer,
    async stop() {
      await consumer.stop();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
