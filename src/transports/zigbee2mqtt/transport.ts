import { devicesOn } from '../../config/devices.js';
import type { CreateTransport } from '../transport.js';
import { createZigbee2MqttSource } from './z2m-source.js';
import { z2mWarningPayload } from '../../escalation/ias-wd.js';

/** An existing Zigbee2MQTT on the hub, for the devices with `z2m: { friendly_name }`. */
export const createZigbee2MqttTransport: CreateTransport = ({ config, sink, log }) => {
  const z = config.zigbee2mqtt!; // the schema requires the section for a z2m: device
  const devices = devicesOn(config, 'z2m').flatMap((d) => (d.z2m ? [{ id: d.id, friendlyName: d.z2m.friendly_name }] : []));
  const feeds = new Map(devices.map((d) => [d.id, sink.feed(d.id)]));
  const source = createZigbee2MqttSource({
    url: z.url, baseTopic: z.base_topic, ...(z.username ? { username: z.username } : {}), ...(z.password_file ? { passwordFile: z.password_file } : {}),
    batteryIntervalMs: z.battery_interval_min * 60_000, reconnectMs: z.reconnect_s * 1000,
    devices, onMeasurements: (id, ms) => feeds.get(id)?.(ms), log: log.child({ mod: 'zigbee2mqtt' }),
  });
  return {
    start: () => source.start(),
    stop: () => source.stop(),
    status: () => ({ devices: [], zigbee2mqtt: source.stats() }),
    // Zigbee2MQTT's IAS WD converter takes `{"warning": {...}}` on the device's set topic.
    warn: (deviceId, w) => {
      const d = devices.find((x) => x.id === deviceId);
      return d ? source.set(d.friendlyName, z2mWarningPayload(w)) : null;
    },
  };
};
