import { decodeZigbeeMessage, loadZigbeeProfile, type ZigbeeDecodeResult, type ZigbeeDeviceProfile, type ZigbeeMessage } from './zigbee-ias/index.js';
import { zigbeeProfileFiles as files, type ZigbeeModel } from './zigbee-models.js';

export { isZigbeeModel, zigbeeModelNames, zigbeeSupervisionClass, type ZigbeeModel } from './zigbee-models.js';

/**
 * Zigbee device models this build knows, by the `model` name used in config and in devices/<model>/.
 * A model is data only (its profile's `zigbee` section: which alarm bit, which cluster, battery
 * scaling, reporting to configure); the one decoder in src/drivers/zigbee-ias/ serves all of them.
 * The same models are used for devices behind Zigbee2MQTT (`z2m:`), where the profile gives the
 * supervision class only (Zigbee2MQTT has already decoded the messages).
 * Adding a model: a folder under devices/ (profile.json, README.md, fixtures/messages.json) and one
 * entry in zigbee-models.ts.
 */
export const zigbeeModels: Record<ZigbeeModel, ZigbeeDeviceProfile> = {
  'heiman-hs1sa': loadZigbeeProfile(files['heiman-hs1sa']),
  'heiman-hs1cg': loadZigbeeProfile(files['heiman-hs1cg']),
  'heiman-hs3cg': loadZigbeeProfile(files['heiman-hs3cg']),
  'heiman-hs1ca-e': loadZigbeeProfile(files['heiman-hs1ca-e']),
  'aqara-mccgq11lm': loadZigbeeProfile(files['aqara-mccgq11lm']),
  'sonoff-snzb-03': loadZigbeeProfile(files['sonoff-snzb-03']),
};

/** Decodes one message of a configured device. Never throws. */
export function decodeZigbeeModelMessage(model: ZigbeeModel, message: ZigbeeMessage): ZigbeeDecodeResult {
  return decodeZigbeeMessage(zigbeeModels[model].zigbee, message);
}
