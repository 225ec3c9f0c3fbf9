import { loadModbusProfile, type ModbusProfile } from './modbus-profile/index.js';
import gasDetector4000xProfile from '../../devices/gas-detector-4000x/profile.json' with { type: 'json' };
import gasModule6000hProfile from '../../devices/gas-module-6000h/profile.json' with { type: 'json' };
import modbusGenericProfile from '../../devices/modbus-generic/profile.json' with { type: 'json' };

interface ModbusModelEntry {
  /** The validated register map from devices/<model>/profile.json. */
  profile: ModbusProfile;
}

/**
 * Modbus device models this build knows, by the `model` name used in config and in `devices/<model>/`.
 * Kept apart from the serial registry (src/drivers/registry.ts) because a Modbus model is only data:
 * the one decoder in src/drivers/modbus-profile/ serves all of them.
 * Adding a model: a folder under devices/ (profile.json, README.md, fixtures/registers.json) and one
 * entry here.
 */
export const modbusModels = {
  'gas-detector-4000x': { profile: loadModbusProfile(gasDetector4000xProfile) },
  'gas-module-6000h': { profile: loadModbusProfile(gasModule6000hProfile) },
  'modbus-generic': { profile: loadModbusProfile(modbusGenericProfile) },
} as const satisfies Record<string, ModbusModelEntry>;

export type ModbusModel = keyof typeof modbusModels;
export const modbusModelNames = Object.keys(modbusModels) as [ModbusModel, ...ModbusModel[]];

export function isModbusModel(name: string): name is ModbusModel {
  return Object.hasOwn(modbusModels, name);
}
