/** Build step: writes the editor JSON Schema generated from the one config schema. */
import { writeFileSync } from 'node:fs';
import { configJsonSchema } from './schema.js';

const out = process.argv[2] ?? 'config/anju.schema.json';
writeFileSync(out, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
