import { cpSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Copies each <from>/<model>/profile.json to <to>/<model>/profile.json: the device catalogue
 * (catalogue.ts) reads the build's profiles from dist/devices at run time, so a model is one folder
 * and no code names it. Fixtures and READMEs stay in the repository. Used by `npm run build` (run as
 * a script: devices/ -> dist/devices/) and by the release staging (packaging/build/stage.ts).
 */
export function copyDeviceProfiles(from: string, to: string): void {
  rmSync(to, { recursive: true, force: true });
  cpSync(from, to, {
    recursive: true,
    filter: (src) => (statSync(src).isDirectory() ? basename(src) !== 'fixtures' : basename(src) === 'profile.json'),
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const repo = fileURLToPath(new URL('../../../', import.meta.url)); // dist/src/drivers -> the checkout
  copyDeviceProfiles(join(repo, 'devices'), join(repo, 'dist/devices'));
}
