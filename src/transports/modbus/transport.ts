import { modbusModelsOf } from '../../drivers/modbus-registry.js';
import { linkFaultEvent } from './link-fault.js';
import type { CreateTransport } from '../transport.js';
import { modbusBusOptions } from './config.js';
import { createModbusBus } from './modbus-bus.js';

/** RS-485 / Modbus TCP buses, each polling its devices with the register maps of the catalogue. */
export const createModbusTransport: CreateTransport = ({ config, catalogue, sink, clock, log }) => {
  const models = modbusModelsOf(catalogue);
  const buses = config.modbus.map((bus) => {
    const feeds = new Map(bus.devices.map((d) => [d.id, sink.feed(d.id)]));
    return createModbusBus({
      ...modbusBusOptions(bus, models),
      onMeasurements: (id, ms) => feeds.get(id)?.(ms),
      // The link-level fault (no answer, exception) of a polled device: its own event, so it is
      // not confused with the sensor's own fault bit (device.fault, from device supervision).
      onDeviceFault: (id, fault, ended) => sink.raise(linkFaultEvent(bus.id, id, fault, ended, clock.now())),
      log: log.child({ bus: bus.id }),
    });
  });
  return {
    start() { for (const b of buses) b.start(); },
    async stop() { await Promise.all(buses.map((b) => b.stop())); },
    status() {
      const stats = buses.map((b) => b.stats());
      return {
        devices: stats.flatMap((b) => b.devices).map((m) => ({ id: m.id, up: m.state === 'ok', modbus: m })),
        modbusBuses: stats.map((b) => ({ ...b, devices: undefined })),
      };
    },
  };
};
