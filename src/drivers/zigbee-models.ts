import heimanHs1sa from '../../devices/heiman-hs1sa/profile.json' with { type: 'json' };
import heimanHs1cg from '../../devices/heiman-hs1cg/profile.json' with { type: 'json' };
import heimanHs3cg from '../../devices/heiman-hs3cg/profile.json' with { type: 'json' };
import heimanHs1caE from '../../devices/heiman-hs1ca-e/profile.json' with { type: 'json' };
import aqaraMccgq11lm from '../../devices/aqara-mccgq11lm/profile.json' with { type: 'json' };
import sonoffSnzb03 from '../../devices/sonoff-snzb-03/profile.json' with { type: 'json' };

/**
 * The Zigbee device models this build knows (see zigbee-registry.ts), as the raw profile files:
 * the names and each model's supervision class, which is all the daemon needs before a Zigbee
 * transport starts. No zod here: the profiles are validated (and completed with their defaults) in
 * zigbee-registry.ts, which only the Zigbee transports and the config schema load.
 */
export const zigbeeProfileFiles = {
  'heiman-hs1sa': heimanHs1sa,
  'heiman-hs1cg': heimanHs1cg,
  'heiman-hs3cg': heimanHs3cg,
  'heiman-hs1ca-e': heimanHs1caE,
  'aqara-mccgq11lm': aqaraMccgq11lm,
  'sonoff-snzb-03': sonoffSnzb03,
} as const;

export type ZigbeeModel = keyof typeof zigbeeProfileFiles;
export const zigbeeModelNames = Object.keys(zigbeeProfileFiles) as [ZigbeeModel, ...ZigbeeModel[]];

export const isZigbeeModel = (model: string): model is ZigbeeModel => Object.hasOwn(zigbeeProfileFiles, model);

/**
 * The device-supervision class of a model (`detectors.device_supervision.silence_timeout_s` key),
 * for the config to bind per device. Unknown models get `default`. Read from the raw profile: the
 * schema requires the field and does not transform it (a test checks it against the parsed one).
 */
export function zigbeeSupervisionClass(model: string): string {
  return isZigbeeModel(model) ? zigbeeProfileFiles[model].supervisionClass : 'default';
}
