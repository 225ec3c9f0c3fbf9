import { z } from 'zod';
import { rule } from '../../core/config-rules.js';

/**
 * The `modem:` section (config/anju.example.yaml documents it key by key): a cellular modem on a
 * serial port for SMS and calls when the cloud cannot be reached (issue 15). Optional: a hub without
 * it has no modem. `pin` is a secret: never logged (src/daemon/logger.ts), redacted in `config show`
 * and support bundles (src/cli/redact.ts).
 *
 *   modem:
 *     port: /dev/serial/by-id/usb-Quectel_EG25-G-if02-port0
 *     model: quectel-ec2x
 *     pin: "1234"
 */
const seconds = (def: number, what: string) => z.number().positive().default(def).describe(`${what}, seconds (default ${def})`);

export const modemSettingsSchema = (models: readonly string[]) => z.strictObject({
  port: z.string().min(1).describe('Serial port of the modem\'s AT interface; prefer /dev/serial/by-id/... (Quectel: the -if02 port, SIMCom: -if02 or -if03)'),
  model: z.enum(models as [string, ...string[]]).describe('Modem model: a folder under devices/ with transport modem (quectel-ec2x, simcom-sim7600)'),
  baud: z.number().int().positive().optional().describe("Line speed; default: the model's profile (115200). Ignored by USB AT ports, needed on a UART"),
  pin: z.string().regex(/^[0-9]{4,8}$/, rule('ANJU_CFG_MODEM_PIN')).optional().describe('SIM PIN, when the SIM asks for one. A secret: never logged, redacted in config show and support bundles. Tried once per SIM start: a refused PIN is never retried (three wrong PINs lock the SIM)'),
  smsc: z.string().regex(/^\+?[0-9]{3,20}$/, rule('ANJU_CFG_MODEM_SMSC')).optional().describe("SMS service centre number; default: the SIM's own (leave unset unless the operator says otherwise)"),
  check_s: seconds(60, 'Re-check SIM, registration, signal and operator this often'),
  command_timeout_s: seconds(5, 'Give up one ordinary AT command after'),
  sms_timeout_s: seconds(60, 'Give up sending one SMS part (AT+CMGS, the network answers) or dialling after'),
  prompt_s: seconds(20, 'Play the prompt into an answered call this long, then hang up'),
  prompt_dir: z.string().optional().describe("Folder of the prompt WAV files on the module's own storage; default: the model's (UFS: for Quectel, E:/ for SIMCom)"),
  status_settle_s: z.number().min(0).default(30).describe('A new modem state (ready, searching, no_network, sim_missing, ...) is reported to the cloud (hub.modem_status) once it has held this long, so a flapping cell is one event, not hundreds; seconds (default 30)'),
  concat_wait_s: seconds(300, 'A long reply whose parts do not all arrive within this is passed on with the gaps marked'),
  reconnect_min_s: seconds(1, 'First reopen delay ceiling after the port went (unplugged, module silent); doubles per failed attempt'),
  reconnect_max_s: seconds(60, 'Reopen delay ceiling'),
}).refine((m) => m.reconnect_min_s <= m.reconnect_max_s, { ...rule('ANJU_CFG_RECONNECT_ORDER'), path: ['reconnect_min_s'] });

export type ModemSettings = z.output<ReturnType<typeof modemSettingsSchema>>;
