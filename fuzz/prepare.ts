import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyDeviceProfiles } from '../src/drivers/copy-profiles.js';

/**
 * The device catalogue reads profiles next to the compiled code (src/drivers/catalogue.ts), so the
 * fuzz build gets them as dist/ does: .fuzz-dist/devices. The config target mutates the shipped
 * configs, read the same way: .fuzz-dist/config. Run by `npm run fuzz` before fuzz/run.ts.
 */
const root = fileURLToPath(new URL('../../', import.meta.url)); // .fuzz-dist/fuzz -> the checkout
copyDeviceProfiles(join(root, 'devices'), join(root, '.fuzz-dist/devices'));
for (const f of ['demo.yaml', 'anju.example.yaml']) cpSync(join(root, 'config', f), join(root, '.fuzz-dist/config', f));
