// Copies each devices/<model>/profile.json into dist/devices/: the device catalogue
// (src/drivers/catalogue.ts) reads the build's profiles from there at run time, so a model is one
// folder and no code names it. Fixtures and READMEs stay in the repository.
import { cpSync, rmSync, statSync } from 'node:fs';
import { basename } from 'node:path';

rmSync('dist/devices', { recursive: true, force: true });
cpSync('devices', 'dist/devices', {
  recursive: true,
  filter: (src) => statSync(src).isDirectory() ? basename(src) !== 'fixtures' : basename(src) === 'profile.json',
});
