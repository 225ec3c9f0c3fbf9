import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { createCloudConsumer, type CloudConsumer } from '../examples/cloud-consumer/consumer.js';

/**
 * The cloud for the memory bench, in the bench process (not the daemon's child, whose RSS it would
 * inflate): an aedes broker on a free 127.0.0.1 port and the reference cloud consumer, which stores
 * and acknowledges events, so the daemon's default `cloud_ack` delivery drains its outbox as in the
 * field. The broker counts what clients publish, by topic: proof that the daemon really published.
 *
 * aedes speaks MQTT 3.1.1 only, so the daemon uses `uplink.protocol_version: 4` here, as the demo
 * does; its memory use does not depend on the protocol version in any way we could measure.
 */
export interface BenchCloud {
  port: number;
  published: Map<string, number>;
  consumer: CloudConsumer;
  close(): Promise<void>;
}

export async function startBenchCloud(): Promise<BenchCloud> {
  const broker = await Aedes.createBroker();
  const published = new Map<string, number>();
  broker.on('publish', (packet, client) => {
    if (client) published.set(packet.topic, (published.get(packet.topic) ?? 0) + 1);
  });
  const server: Server = createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('bench broker got no TCP port');
  const consumer = createCloudConsumer({ url: `mqtt://127.0.0.1:${address.port}`, dbPath: ':memory:', protocolVersion: 4, clientId: 'bench-cloud' });
  await consumer.start();
  return {
    port: address.port,
    published,
    consumer,
    async close() {
      await consumer.stop();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
