import { z } from 'zod';
import { sosDefaults } from '../sos.js';

/** The settings schema of the SOS button detector (`detectors.sos`; zod kept out of the detector's module). */
export const SosSettingsSchema = z.strictObject({
  enabled: z.boolean().default(sosDefaults.enabled),
  cancel_s: z.number().positive().max(600).default(sosDefaults.cancel_s).describe('The cancel gesture within this long after the press clears the SOS as a false alarm (reason cancelled); later it resets it (reason reset), seconds'),
  double_press_s: z.number().positive().max(10).default(sosDefaults.double_press_s).describe('Two presses of a one-key IAS button within this long are a double press (its cancel gesture), seconds'),
  press_actions: z.array(z.string().min(1)).default([...sosDefaults.press_actions]).describe('Zigbee2MQTT action values that are an SOS press (add "single" for a generic button used as an SOS button)'),
  cancel_actions: z.array(z.string().min(1)).default([...sosDefaults.cancel_actions]).describe('Zigbee2MQTT action values that are the cancel gesture'),
});
