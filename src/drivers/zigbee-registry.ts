import heimanHs1sa from '../../devices/heiman-hs1sa/profile.json' with { type: 'json' };
import heimanHs1cg from '../../devices/heiman-hs1cg/profile.json' with { type: 'json' };
import heimanHs3cg from '../../devices/heiman-hs3cg/profile.json' with { type: 'json' };
import heimanHs1caE from '../../devices/heiman-hs1ca-e/profile.json' with { type: 'json' };
import aqaraMccgq11lm from '../../devices/aqara-mccgq11lm/profile.json' with { type: 'json' };
import sonoffSnzb03 from '../../devices/sonoff-snzb-03/profile.json' with { type: 'json' };
import { decodeZigbeeMessage, loadZigbeeProfile, type ZigbeeDecodeResult, type ZigbeeDeviceProfile, type ZigbeeMessage } from './zigbee-ias/index.js';

/**
 * Zigbee device models this build knows, by the `model` name used in config and in devices/<model>/.
 * A model is data only (its profile's `zigbee` section: which alarm bit, which cluster, battery
 * scaling, reporting to configure); the one decoder in src/drivers/zigbee-ias/ serves all of them.
 * The same models are used for devices behind Zigbee2MQTT (`z2m:`), where the profile gives the
 * supervision class only (Zigbee2MQTT has already decoded the messages).
 * Adding a model: a folder under devices/ (profile.json, README.md, fixtures/messages.json) and one
 * entry here.
 */
export const zigbeeModels = {
  'heiman-hs1sa': loadZigbeeProfile(heimanHs1sa),
  'heiman-hs1cg': loadZigbeeProfile(heimanHs1cg),
  'heiman-hs3cg': loadZigbeeProfile(heimanHs3cg),
  'heiman-hs1ca-e': loadZigbeeProfile(heimanHs1caE),
  'aqara-mccgq11lm': loadZigbeeProfile(aqaraMccgq11lm),
  'sonoff-snzb-03': loadZigbeeProfile(sonoffSnzb03),
} as const satisfies Record<string, ZigbeeDeviceProfile>;

export type ZigbeeModel = keyof typeof zigbeeModels;
export const zigbeeModelNames = Object.keys(zigbeeModels) as [ZigbeeModel, ...ZigbeeModel[]];

export const isZigbeeModel = (model: string): model is ZigbeeModel => Object.hasOwn(zigbeeModels, model);

/**
 * The device-supervision class of a model (`detectors.device_supervision.silence_timeout_s` key),
 * for the config to bind per device. Unknown models get `default`.
 */
export function zigbeeSupervisionClass(model: string): string {
  return isZigbeeModel(model) ? zigbeeModels[model].supervisionClass : 'default';
}

/** Decodes one message of a configured device. Never throws. */
export function decodeZigbeeModelMessage(model: ZigbeeModel, message: ZigbeeMessage): ZigbeeDecodeResult {
  return decodeZigbeeMessage(zigbeeModels[model].zigbee, message);
}
