import type { Config } from './schema.js';

/** Every configured device, whatever its transport: what status, detectors and duplicate checks see. */
export interface AnyDevice {
  id: string;
  model: string;
  room: string;
  name?: string | undefined;
  transport: 'serial' | 'ble' | 'modbus' | 'zigbee' | 'z2m';
  /** The Modbus bus id, for Modbus devices. */
  bus?: string;
}

export function allDevices(config: Readonly<Config>): AnyDevice[] {
  return [
    ...config.devices.map((d): AnyDevice => ({ id: d.id, model: d.model, room: d.room, name: d.name, transport: transportOf(d) })),
    ...config.modbus.flatMap((b) => b.devices.map((d): AnyDevice => ({ id: d.id, model: d.model, room: d.room, name: d.name, transport: 'modbus', bus: b.id }))),
  ];
}

function transportOf(d: Config['devices'][number]): AnyDevice['transport'] {
  if ('serial' in d) return 'serial';
  if ('ble' in d) return 'ble';
  return d.zigbee ? 'zigbee' : 'z2m';
}
