import { devicesOn, entryOf } from '../../config/devices.js';
import { serialModelOf } from '../../drivers/registry.js';
import type { CreateTransport } from '../transport.js';
import { createSerialTransport, type SerialTransport } from './serial-transport.js';

/** Serial radars: one port each, its bytes to the driver the catalogue chose (run in ingest). */
export const createSerialLinks: CreateTransport = ({ config, catalogue, sink, openPort, log }) => {
  const ports = new Map<string, SerialTransport>();
  for (const d of devicesOn(config, 'serial')) {
    const model = serialModelOf(entryOf(catalogue, d.model));
    ports.set(d.id, createSerialTransport({
      path: d.serial.path, baudRate: d.serial.baudRate ?? model.defaultBaudRate, openPort, onData: sink.stream(d.id), log: log.child({ device: d.id }),
    }));
  }
  return {
    start() { for (const p of ports.values()) p.start(); },
    async stop() { await Promise.all([...ports.values()].map((p) => p.stop())); },
    status: () => ({ devices: [...ports].map(([id, p]) => { const s = p.stats(); return { id, up: s.open, serial: s }; }) }),
  };
};
