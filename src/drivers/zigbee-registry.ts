import { decodeZigbeeMessage, ZigbeeDeviceProfileSchema, type ZigbeeDecodeResult, type ZigbeeDeviceProfile, type ZigbeeMessage } from './zigbee-ias/index.js';
import { deviceCatalogue, type Catalogue } from './catalogue.js';

/**
 * The Zigbee models of a catalogue (src/drivers/catalogue.ts), each with its validated profile. A
 * model is data only (its profile's `zigbee` section: which alarm bit, which cluster, battery
 * scaling, reporting to configure); the one decoder in src/drivers/zigbee-ias/ serves all of them.
 * The same models are used for devices behind Zigbee2MQTT (`z2m:`), where the profile gives the
 * supervision class only (Zigbee2MQTT has already decoded the messages).
 * A profile that does not validate is left out (no config can then use it); config validation names
 * its problems (profile-check.ts), and the catalogue test holds every shipped profile to it.
 */
export function zigbeeModelsOf(catalogue: Catalogue): Record<string, ZigbeeDeviceProfile> {
  return Object.fromEntries(catalogue.models('zigbee').flatMap((m) => {
    const r = ZigbeeDeviceProfileSchema.safeParse(catalogue.get(m)!.profile);
    return r.success ? [[m, r.data]] : [];
  }));
}

/**
 * The shipped Zigbee models, by the `model` name used in config and in devices/<model>/.
 * Adding a model: a folder under devices/ (profile.json, README.md, fixtures/messages.json).
 */
export const zigbeeModels: Readonly<Record<string, ZigbeeDeviceProfile>> = zigbeeModelsOf(deviceCatalogue());

export type ZigbeeModel = string;
export const zigbeeModelNames = Object.keys(zigbeeModels) as [ZigbeeModel, ...ZigbeeModel[]];
export const isZigbeeModel = (model: string): model is ZigbeeModel => Object.hasOwn(zigbeeModels, model);

/** The device-supervision class of a shipped model, from its profile; unknown models get `default`. */
export function zigbeeSupervisionClass(model: string): string {
  return deviceCatalogue().get(model)?.supervisionClass ?? 'default';
}

/** Decodes one message of a device of this profile. Never throws. */
export function decodeZigbeeProfileMessage(profile: ZigbeeDeviceProfile, message: ZigbeeMessage): ZigbeeDecodeResult {
  return decodeZigbeeMessage(profile.zigbee, message);
}

/** Decodes one message of a device of a shipped model. Never throws. */
export function decodeZigbeeModelMessage(model: ZigbeeModel, message: ZigbeeMessage): ZigbeeDecodeResult {
  const p = zigbeeModels[model];
  return p ? decodeZigbeeProfileMessage(p, message) : { ok: false, error: `unknown Zigbee model ${model}` };
}
