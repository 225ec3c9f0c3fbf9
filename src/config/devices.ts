import type { Config } from './schema.js';

/** Every configured device, whatever its transport: what status, detectors and duplicate checks see. */
export interface AnyDevice {
  id: string;
  model: string;
  room: string;
  name?: string | undefined;
  transport: 'serial' | 'ble' | 'modbus';
  /** The Modbus bus id, for Modbus devices. */
  bus?: string;
}

export function allDevices(config: Readonly<Config>): AnyDevice[] {
  return [
    ...config.devices.map((d): AnyDevice => ({ id: d.id, model: d.model, room: d.room, name: d.name, transport: 'serial' in d ? 'serial' : 'ble' })),
    ...config.modbus.flatMap((b) => b.devices.map((d): AnyDevice => ({ id: d.id, model: d.model, room: d.room, name: d.name, transport: 'modbus', bus: b.id }))),
  ];
}
