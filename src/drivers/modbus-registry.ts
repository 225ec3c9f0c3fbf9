import { parseModbusProfile, type ModbusProfile } from './modbus-profile/index.js';
import { deviceCatalogue, type Catalogue } from './catalogue.js';

export interface ModbusModelEntry {
  /** The validated register map from devices/<model>/profile.json. */
  profile: ModbusProfile;
}

/**
 * The Modbus models of a catalogue (src/drivers/catalogue.ts), each with its validated register
 * map: a Modbus model is only data, the one decoder in src/drivers/modbus-profile/ serves all of
 * them. A map that does not validate is left out (no config can then use it); config validation
 * names its problems (profile-check.ts), and the catalogue test holds every shipped map to it.
 */
export function modbusModelsOf(catalogue: Catalogue): Record<string, ModbusModelEntry> {
  return Object.fromEntries(catalogue.models('modbus').flatMap((m) => {
    const r = parseModbusProfile(catalogue.get(m)!.profile);
    return r.ok ? [[m, { profile: r.profile }]] : [];
  }));
}

/**
 * The shipped Modbus models, by the `model` name used in config and in `devices/<model>/`; a
 * register map added on site (device_profiles.local_dir) is in `modbusModelsOf(deviceCatalogue(dir))`.
 * Adding a model: a folder under devices/ (profile.json, README.md, fixtures/registers.json).
 */
export const modbusModels: Readonly<Record<string, ModbusModelEntry>> = modbusModelsOf(deviceCatalogue());

export type ModbusModel = string;
export const modbusModelNames = Object.keys(modbusModels) as [ModbusModel, ...ModbusModel[]];

export function isModbusModel(name: string): name is ModbusModel {
  return Object.hasOwn(modbusModels, name);
}
