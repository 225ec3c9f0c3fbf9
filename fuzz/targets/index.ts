import type { FuzzTarget } from '../target.js';
import { ld2410, mr60bha1, mr60bha2 } from './serial.js';
import { modbusProfile, rtuResponse } from './modbus.js';
import { gatt, z2m, zigbee } from './radio.js';
import { acks, commands, inbound } from './cloud.js';
import { controlRequest, localFiles, updateManifest } from './local.js';
import { config } from './config.js';
import { modemAtClient, modemAtLines, modemConcat, modemPdu } from './modem.js';

/**
 * Every fuzz target, one line each: `npm run fuzz` runs them all, `npm test` runs each a little
 * (tests/fuzz/fuzz-subset.test.ts). A new decoder, framer or parser is one more line here.
 */
export const targets: readonly FuzzTarget[] = [
  mr60bha1,
  mr60bha2,
  ld2410,
  rtuResponse,
  modbusProfile,
  gatt,
  zigbee,
  z2m,
  acks,
  commands,
  inbound,
  controlRequest,
  updateManifest,
  localFiles,
  config,
  modemPdu,
  modemAtLines,
  modemConcat,
  modemAtClient,
];
