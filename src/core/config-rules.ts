/**
 * The config schema's own rules (issue 16 point 1): every refinement, format check and cross-key check
 * of src/config/schema.ts and the schemas it is built from, each with a stable code and its English
 * text. The English is what anjud logs, what the cloud reads in a set-config refusal and what
 * `anjuctl` prints in English; anjuctl renders the code in the reader's language
 * (src/cli/messages/config-rules.ts, which must name every code here: the compiler checks it).
 *
 * A zod check carries only its message (a format check drops any params), so a problem is traced back
 * to its rule by its text: `ruleOf` matches the templates below, in order (a specific template before
 * a general one that would also match it: `YAML syntax: key ... twice` before `YAML syntax: {detail}`).
 * Every template is therefore unique, and a placeholder never stands next to another
 * (tests/unit/config/config-rules.test.ts checks both). The validator's own problems (load.ts,
 * parse-yaml.ts: a YAML error, a duplicate id, an unreadable file) are rules too, `expected` included.
 * Here, not in src/config/, because the detectors' and transports' settings schemas use it too and
 * core is the one place everything may import; it imports nothing, and no zod.
 */
export const CONFIG_RULES = {
  ANJU_CFG_HUB_ID: 'hub id: 1-64 characters of A-Z a-z 0-9 _ - (it is used in MQTT topics)',
  ANJU_CFG_DEVICE_ID: 'device id: 1-64 characters of A-Z a-z 0-9 _ - (it is used in MQTT topics)',
  ANJU_CFG_BUS_ID: 'bus id: 1-64 characters of A-Z a-z 0-9 _ - (it is used in logs and status)',
  ANJU_CFG_PASSWORD_TWICE: 'give password or password_file, not both',
  ANJU_CFG_RECONNECT_ORDER: 'reconnect_min_s must not exceed reconnect_max_s',
  ANJU_CFG_PLAIN_BROKER: 'plain {protocol}:// to {host} is not encrypted: use mqtts:// (or wss://), or set uplink.insecure: true',
  ANJU_CFG_BROKER_URL: 'an MQTT URL such as {example}, with {problem}',
  ANJU_CFG_URL_SPACES: 'no spaces, control characters or backslashes',
  ANJU_CFG_URL_SCHEME_HOST: 'a scheme and a host (scheme://host)',
  ANJU_CFG_URL_SCHEME: 'scheme mqtt, mqtts, ws or wss (found {scheme})',
  ANJU_CFG_URL_QUERY: 'no query (?...): the MQTT client would take options from it',
  ANJU_CFG_URL_FRAGMENT: 'no fragment (#...)',
  ANJU_CFG_URL_USERINFO: 'no user info (user:password@): credentials go in username and password_file',
  ANJU_CFG_URL_HOST_PORT: 'a valid host and a port from 1 to 65535',
  ANJU_CFG_URL_HOST: 'a host name or IP address (letters, digits, . - _, or [IPv6])',
  ANJU_CFG_URL_PORT: 'a port from 1 to 65535',
  ANJU_CFG_URL_PATH: 'no path after the host ({protocol}:// has none)',
  ANJU_CFG_BREATHING_BAND: 'low_per_min must be below high_per_min',
  ANJU_CFG_SIREN_DEVICE: 'no device with id "{id}" in devices: (the siren must be one of them)',
  ANJU_CFG_SIREN_ROLE: 'device "{id}" is a {model}, whose profile has no role siren: the escalation may not be able to sound it (a local profile of a siren needs "roles": ["siren"])',
  ANJU_CFG_ZIGBEE_SECTION: 'a zigbee: device needs the top-level zigbee: section (the coordinator stick)',
  ANJU_CFG_Z2M_SECTION: 'a z2m: device needs the top-level zigbee2mqtt: section (its broker)',
  ANJU_CFG_ZIGBEE_SOURCE: 'give exactly one of zigbee: { ieee } (our coordinator) or z2m: { friendly_name } (Zigbee2MQTT)',
  ANJU_CFG_IEEE: 'an IEEE address such as 0x00158d0001a2b3c4',
  ANJU_CFG_HEX: '0x + {digits} hex digits, e.g. {example}',
  ANJU_CFG_MQTT_WILDCARD: 'no MQTT wildcards (+, #)',
  ANJU_CFG_TRAILING_SLASH: 'no trailing /',
  ANJU_CFG_EDGE_SLASH: 'no leading or trailing /',
  ANJU_CFG_Z2M_SUBTOPIC: 'not a Zigbee2MQTT sub-topic (bridge/..., .../availability, .../set, .../get)',
  ANJU_CFG_MODEM_PIN: 'pin: 4 to 8 digits',
  ANJU_CFG_MODEM_SMSC: 'smsc: +<country><number>',
  ANJU_CFG_MODBUS_LINK: 'give exactly one of rtu or tcp',
  ANJU_CFG_MODBUS_UNIT_TAKEN: 'unit id {unit} is already used by {other} on this bus (two devices cannot share an address)',
  ANJU_CFG_MODBUS_RTU_UNIT: 'unit id {unit}: RTU addresses are 1-247',
  ANJU_CFG_BLE_ADDRESS: 'a Bluetooth address such as C8:4A:11:22:33:44',
  ANJU_CFG_BLE_ADAPTER: 'a BlueZ adapter name such as hci0',
  ANJU_CFG_DBUS_ADDRESS: 'a D-Bus address such as unix:path=/run/dbus/system_bus_socket',
  ANJU_CFG_BATTERY_ORDER: 'battery_ok_percent must be above battery_low_percent',
  ANJU_CFG_LOCAL_TIME: 'a local time "HH:MM" (24-hour clock)',
  ANJU_CFG_TIME_ZONE: 'an IANA time zone such as "Asia/Shanghai"',
  ANJU_CFG_FIRE_GAS_ORDER: 'clear_at must be below raise_at',
  ANJU_CFG_APNEA_ORDER: 'alarm_after_s must be at least min_pause_s',
  ANJU_CFG_SPO2_ORDER: 'plausible_min_percent must be below critical_at_or_below_percent',
  ANJU_CFG_WINDOW_NAME: 'a short name: a-z 0-9 _',
  ANJU_CFG_WINDOW_EMPTY: 'start and end must differ',
  ANJU_CFG_WINDOW_NAMES: 'window names must be unique',
  ANJU_CFG_NIGHT_EMPTY: 'night_start and night_end must differ',
  ANJU_CFG_HR_BANDS: 'bands must be ordered: critical_low_bpm <= warning_low_bpm < warning_high_bpm <= critical_high_bpm',
  ANJU_CFG_HR_PLAUSIBLE: 'plausible_min_bpm must be below plausible_max_bpm',
  ANJU_CFG_ABSENCE_GRACE: 'exit_grace_s must be below confirm_s',
  ANJU_CFG_CURFEW_EMPTY: 'curfew and curfew_end must differ',
  ANJU_CFG_SLEEP_END: 'end_after_out_s must be above min_out_of_bed_s',
  ANJU_CFG_PHONE: 'an E.164 phone number: +, country code and number, digits only (e.g. +8613800138000)',
  ANJU_CFG_ALARM_TYPE: 'an alarm type such as alarm.smoke (alarm. and a-z 0-9 _)',
  // The validator's own problems (src/config/load.ts, parse-yaml.ts, validate-off-thread.ts).
  ANJU_CFG_YAML_KEY_TWICE: 'YAML syntax: key {key} appears twice in one mapping',
  ANJU_CFG_YAML_SYNTAX: 'YAML syntax: {detail}',
  ANJU_CFG_EACH_KEY_ONCE: 'each key once',
  ANJU_CFG_YAML_NO_ANCHOR: 'YAML alias *{name} has no anchor &{name} before it',
  ANJU_CFG_ANCHOR_BEFORE: 'an anchor defined earlier in the file',
  ANJU_CFG_FOUND_NONE: 'none',
  ANJU_CFG_YAML_ALIASES: 'YAML aliases: more than {max} in one config',
  ANJU_CFG_AT_MOST_ALIASES: 'at most {max} aliases',
  ANJU_CFG_YAML_EXPANSIONS: 'YAML aliases: {detail}',
  ANJU_CFG_AT_MOST_EXPANSIONS: 'at most {max} alias expansions',
  ANJU_CFG_CANNOT_VALIDATE: 'cannot validate this config: {detail}',
  ANJU_CFG_MORE_PROBLEMS: '{n} more problem(s) not listed',
  ANJU_CFG_CANNOT_READ: 'cannot read the file: {detail}',
  ANJU_CFG_TOO_SLOW: 'not validated within {s} s: too large or too deeply nested for a config',
  ANJU_CFG_FILE_UNREADABLE: 'file not readable',
  ANJU_CFG_READABLE_PEM: 'a readable PEM file',
  ANJU_CFG_READABLE_PASSWORD: 'a readable file whose first line is the password',
  ANJU_CFG_DUPLICATE_ID: 'duplicate device id',
  ANJU_CFG_UNIQUE_ID: 'an id no other device has',
  ANJU_CFG_ALSO_AT: '"{id}", also at {path}',
  ANJU_CFG_LENGTH: 'length {op} {bound}',
  ANJU_CFG_ITEM_COUNT: 'item count {op} {bound}',
} as const satisfies Record<string, string>;

export type RuleCode = keyof typeof CONFIG_RULES;
export type RuleVars = Readonly<Record<string, string | number>>;

const fill = (s: string, vars: RuleVars): string => s.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`));

/** The English text of a rule with its values: what a zod check gets as its message. */
export const ruleText = (code: RuleCode, vars: RuleVars = {}): string => fill(CONFIG_RULES[code], vars);

/** For `.refine(check, rule(...))` and `ctx.addIssue({ code: 'custom', ...rule(...) })`. */
export const rule = (code: RuleCode, vars: RuleVars = {}): { message: string } => ({ message: ruleText(code, vars) });

/** Each template as an anchored pattern whose groups are its placeholders, in order. */
const MATCHERS = (Object.entries(CONFIG_RULES) as Array<[RuleCode, string]>).map(([code, template]) => {
  const names = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const body = template.split(/\{\w+\}/).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('(.+?)');
  return { code, names, re: new RegExp(`^${body}$`, 's') };
});

/** The rule whose text `message` is, with its values; null for any other text (zod's own, a file's). */
export function ruleOf(message: string): { code: RuleCode; params: Record<string, string> } | null {
  for (const m of MATCHERS) {
    const hit = m.re.exec(message);
    if (hit) return { code: m.code, params: Object.fromEntries(m.names.map((n, i) => [n, hit[i + 1]!])) };
  }
  return null;
}
