import type { StreamDriver } from './types.js';
import { deviceCatalogue, type Catalogue, type CatalogueEntry } from './catalogue.js';
import { serialDrivers } from './serial-drivers.js';

export interface SerialModelEntry {
  createDriver: () => StreamDriver;
  /** From the model's profile in devices/<model>/profile.json. */
  defaultBaudRate: number;
}

/**
 * A serial model of the catalogue (src/drivers/catalogue.ts) bound to its decoder: the profile's
 * `driver` names one of serial-drivers.ts, its `serial.baudRate` the line speed. The catalogue has
 * checked the driver name; the line speed is checked with the rest of the profile (profile-check.ts).
 */
export function serialModelOf(entry: CatalogueEntry): SerialModelEntry {
  const createDriver = serialDrivers[entry.driver];
  if (!createDriver || entry.transport !== 'serial') throw new Error(`${entry.model} is not a serial model (${entry.file})`);
  const serial = entry.profile.serial as { baudRate?: unknown } | undefined;
  return { createDriver, defaultBaudRate: typeof serial?.baudRate === 'number' ? serial.baudRate : 115_200 };
}

export function serialModelsOf(catalogue: Catalogue): Record<string, SerialModelEntry> {
  return Object.fromEntries(catalogue.models('serial').map((m) => [m, serialModelOf(catalogue.get(m)!)]));
}

/** The shipped serial models, by the `model` name used in config and in `devices/<model>/`. */
export const serialModels: Readonly<Record<string, SerialModelEntry>> = serialModelsOf(deviceCatalogue());

export type SerialModel = string;
export const serialModelNames = Object.keys(serialModels) as [SerialModel, ...SerialModel[]];
