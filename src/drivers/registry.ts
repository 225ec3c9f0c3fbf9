import type { StreamDriver } from './types.js';
import { createMr60bha1Driver } from './seeed-mr60bha1/index.js';
import mr60bha1Profile from '../../devices/seeed-mr60bha1/profile.json' with { type: 'json' };
import { createMr60bha2Driver } from './seeed-mr60bha2/index.js';
import mr60bha2Profile from '../../devices/seeed-mr60bha2/profile.json' with { type: 'json' };
import { createLd2410Driver } from './hilink-ld2410/index.js';
import ld2410Profile from '../../devices/hilink-ld2410/profile.json' with { type: 'json' };

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
  'seeed-mr60bha2': { createDriver: createMr60bha2Driver, defaultBaudRate: mr60bha2Profile.serial.baudRate },
  'hilink-ld2410': { createDriver: createLd2410Driver, defaultBaudRate: ld2410Profile.serial.baudRate },
} as const satisfies Record<string, SerialModelEntry>;

export type SerialModel = keyof typeof serialModels;
export const serialModelNames = Object.keys(serialModels) as [SerialModel, ...SerialModel[]];
