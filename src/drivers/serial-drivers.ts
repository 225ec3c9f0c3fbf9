import type { StreamDriver } from './types.js';
import { createMr60bha1Driver } from './seeed-mr60bha1/index.js';
import { createMr60bha2Driver } from './seeed-mr60bha2/index.js';
import { createLd2410Driver } from './hilink-ld2410/index.js';

/**
 * The serial wire protocols this build decodes, by the `driver` name a profile.json gives. A model
 * is a folder under devices/ naming one of these (a variant of a known radar at another line speed
 * needs no code); a new wire protocol is a folder under src/drivers/<name>/ and one line here.
 */
export const serialDrivers: Readonly<Record<string, () => StreamDriver>> = {
  'seeed-mr60bha1': createMr60bha1Driver,
  'seeed-mr60bha2': createMr60bha2Driver,
  'hilink-ld2410': createLd2410Driver,
};
