import type { StreamDriver } from './types.js';
import { createMr60bha1Driver } from './seeed-mr60bha1/index.js';
import mr60bha1Profile from '../../devices/seeed-mr60bha1/profile.json' with { type: 'json' };

interface SerialModelEntry {
  createDriver: () => StreamDriver;
  /** From the model's profile in devices/<model>/profile.json. */
  defaultBaudRate: number;
}

/**
 * Device models this build knows, by the `model` name used in config and in `devices/<model>/`.
 * Adding a model: a folder under devices/ (profile, README, fixtures) and one entry here.
 */
export const serialModels = {
  'seeed-mr60bha1': { createDriver: createMr60bha1Driver, defaultBaudRate: mr60bha1Profile.serial.baudRate },
} as const satisfies Record<string, SerialModelEntry>;

export type SerialModel = keyof typeof serialModels;
export const serialModelNames = Object.keys(serialModels) as [SerialModel, ...SerialModel[]];
