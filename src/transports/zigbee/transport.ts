import { devicesOn } from '../../config/devices.js';
import { zigbeeModelsOf } from '../../drivers/zigbee-registry.js';
import type { CreateTransport } from '../transport.js';
import { zigbeeNetworkSettings } from './config.js';
import { createZigbeeNetwork } from './zigbee-network.js';

/** Our own coordinator stick (zigbee-herdsman), for the devices with `zigbee: { ieee }`. */
export const createZigbeeTransport: CreateTransport = ({ config, catalogue, sink, log, zigbeeControllerFactory }) => {
  const zc = config.zigbee!; // the schema requires the section for a zigbee: device (src/daemon/transports.ts checks too)
  const profiles = zigbeeModelsOf(catalogue);
  const devices = devicesOn(config, 'zigbee').flatMap((d) => (d.zigbee ? [{ id: d.id, model: d.model, ieee: d.zigbee.ieee, profile: profiles[d.model]! }] : []));
  const feeds = new Map(devices.map((d) => [d.id, sink.feed(d.id)]));
  const net = createZigbeeNetwork({
    stateDir: config.state_dir, ...zigbeeNetworkSettings(zc), devices, onMeasurements: (id, ms) => feeds.get(id)?.(ms), log: log.child({ mod: 'zigbee' }),
    ...(zigbeeControllerFactory ? { controllerFactory: zigbeeControllerFactory } : {}),
  });
  return {
    start: () => net.start(),
    stop: () => net.stop(),
    status: () => ({ devices: [], zigbee: net.stats() }),
    permitJoin: (seconds) => net.permitJoin(seconds),
    warn: (deviceId, w) => net.warn(deviceId, w),
  };
};
