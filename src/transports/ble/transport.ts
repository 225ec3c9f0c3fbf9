import { devicesOn, entryOf } from '../../config/devices.js';
import { bleModelOf } from '../../drivers/ble-registry.js';
import type { CreateTransport } from '../transport.js';
import { createBleManager } from './ble-manager.js';
import { bleTimingFromSettings } from './config.js';

/** Bluetooth LE health devices through BlueZ, each with the characteristics of its catalogue profile. */
export const createBleTransport: CreateTransport = ({ config, catalogue, sink, log }) => {
  const devices = devicesOn(config, 'ble').map((d) => ({ id: d.id, model: d.model, address: d.ble.address, adapter: d.ble.adapter, entry: bleModelOf(entryOf(catalogue, d.model).profile) }));
  const feeds = new Map(devices.map((d) => [d.id, sink.feed(d.id)]));
  const ble = createBleManager({
    devices, onMeasurements: (id, ms) => feeds.get(id)?.(ms), log: log.child({ mod: 'ble' }),
    ...(config.ble.bus_address ? { busAddress: config.ble.bus_address } : {}),
    timing: bleTimingFromSettings(config.ble),
  });
  return {
    start: () => ble.start(),
    stop: () => ble.stop(),
    status() {
      const s = ble.stats();
      return { devices: s.devices.map((b) => ({ id: b.id, up: b.connected, ble: b })), bleAdapters: s.adapters };
    },
  };
};
