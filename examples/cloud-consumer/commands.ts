/**
 * Sending commands to a hub (docs/uplink.md §10), cloud side: MQTT 5 request/response. The request
 * goes to anju/v1/<hub>/cmd/<name> with a response topic (this instance's own, never a shared
 * subscription: the answer must come back to whoever asked) and correlation data; the hub publishes
 * its response there, echoing the correlation data. Used by the reference consumer for `resync`.
 */
import { randomUUID } from 'node:crypto';
import type { IPublishPacket, MqttClient } from 'mqtt';

/** The hub's response (docs/schema/command-response.v1.json). */
export interface HubResponse {
  v: number;
  hub: string;
  cmd: string;
  ok: boolean;
  /** On failure: a stable code such as ANJU_CMD_INVALID_ARGS (match on it, not on `message`). */
  code?: string;
  message?: string;
  data?: unknown;
}

export interface CommandClient {
  /** Sends `args` as command `name` to `hub`; resolves with the response, rejects after `timeoutMs` without one. */
  request(hub: string, name: string, args: Record<string, unknown>, timeoutMs?: number): Promise<HubResponse>;
  /** Rejects what is still waiting (call before ending the MQTT client). */
  close(): void;
}

interface Pending { resolve: (r: HubResponse) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }

/** `client` must be an MQTT 5 connection; `replyTopic` one this instance alone subscribes to. */
export function createCommandClient(client: MqttClient, replyTopic: string): CommandClient {
  const pending = new Map<string, Pending>();
  let subscribed: Promise<unknown> | null = null;
  client.on('message', (topic: string, payload: Buffer, packet: IPublishPacket) => {
    if (topic !== replyTopic) return;
    const key = packet.properties?.correlationData?.toString('hex');
    const p = key === undefined ? undefined : pending.get(key);
    if (!p) return; // not ours, or too late
    pending.delete(key!);
    clearTimeout(p.timer);
    try {
      p.resolve(JSON.parse(payload.toString('utf8')) as HubResponse);
    } catch (err) {
      p.reject(new Error(`response on ${topic} is not JSON: ${(err as Error).message}`));
    }
  });

  return {
    async request(hub, name, args, timeoutMs = 10_000) {
      if (client.options.protocolVersion !== 5) throw new Error('hub commands need MQTT 5 (response topic and correlation data)');
      subscribed ??= client.subscribeAsync(replyTopic, { qos: 1 });
      await subscribed;
      const correlation = Buffer.from(randomUUID().replace(/-/g, ''), 'hex');
      const key = correlation.toString('hex');
      const answer = new Promise<HubResponse>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(key);
          reject(new Error(`no response from ${hub} to ${name} within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(key, { resolve, reject, timer });
      });
      try {
        await client.publishAsync(`anju/v1/${hub}/cmd/${name}`, JSON.stringify(args), { qos: 1, properties: { responseTopic: replyTopic, correlationData: correlation } });
      } catch (err) {
        clearTimeout(pending.get(key)?.timer);
        pending.delete(key);
        throw err;
      }
      return answer;
    },
    close() {
      for (const p of pending.values()) {
        clearTimeout(p.timer);
        p.reject(new Error('command client closed'));
      }
      pending.clear();
    },
  };
}
