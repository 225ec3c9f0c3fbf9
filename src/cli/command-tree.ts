/**
 * Every anjuctl command as commander sees it: name, arguments, options, descriptions (English; the
 * key of its Chinese text in src/cli/messages/help.ts). Nothing here does the work: each action is
 * `lazy(...)` (src/cli/lazy-action.ts), which imports the command's module under src/cli/commands/
 * when that command runs. So this file imports only commander's types and light constants, and
 * `anjuctl --help`, a mistyped command or `anjuctl status` do not load zod, yaml, the detectors or
 * anything else a command they do not run needs (tests/unit/cli/lazy-commands.test.ts checks that).
 * A new command: its descriptor here, its action exported from its own module.
 */
import type { Command } from 'commander';
import { RELEASE_KEYS_FILE } from '../update/release-keys.js';
import { DEFAULT_SOCKET } from './client.js';
import { lazy } from './lazy-action.js';

const alarms = () => import('./commands/alarms.js');
const config = () => import('./commands/config.js');
const devices = () => import('./commands/devices.js');
const devicesEdit = () => import('./commands/devices-edit.js');
const events = () => import('./commands/events.js');
const release = () => import('./commands/release.js');

/** Options every command takes (they are read by src/cli/context.ts). */
export function addGlobalOptions(program: Command): void {
  program
    .option('--socket <path>', `control socket of anjud (default: control.socket of --config, else ${DEFAULT_SOCKET})`)
    .option('--config <file>', 'anjud config to read the socket path from', process.env.ANJU_CONFIG ?? '/etc/anju/anju.yaml')
    .option('--lang <lang>', 'en or zh (default: from LANG)')
    .option('--json', 'machine-readable JSON output');
}

/** Who takes an alarm or runs a test, unless --by says otherwise. */
const technician = (): string => `technician:${process.env.SUDO_USER ?? process.env.USER ?? 'local'}`;
/** An integer option; anything else is NaN, which the command refuses by name. */
const num = (v: string) => (/^-?\d+$/.test(v) ? Number(v) : Number.NaN);

/** Registers every command, in the order --help lists them. */
export function registerCommands(program: Command): void {
  registerConfig(program);
  registerOffline(program);
  registerDaemonCommands(program);
  registerSiteChecks(program);
  registerDevices(program);
  registerHubLifecycle(program);
}

function registerConfig(program: Command): void {
  const cfg = program.command('config').description('work with config files');
  cfg
    .command('validate')
    .argument('<file>', 'config file (YAML)')
    .description('check a config file; prints every problem with file:line:col and key path (--json for scripts)')
    .action(lazy(() => import('./commands/config-validate.js'), 'configValidate'));
  cfg
    .command('show')
    .description('show the config in force (the file given by --config), secrets redacted')
    .action(lazy(config, 'configShow'));
  cfg
    .command('diff')
    .argument('<file>', 'the new config (YAML)')
    .description('what FILE changes against the config in force, key by key')
    .action(lazy(config, 'configDiff'));
  cfg
    .command('apply')
    .argument('<file>', 'the new config (YAML)')
    .option('--wait-s <n>', 'wait this long for the outcome beyond uplink.apply_verify_s, seconds', (v) => Number(v), 30)
    .option('--if-hash <hash>', 'apply only if the config in force still has this hash (config show prints it); otherwise nothing changes')
    .description('validate FILE, send it to anjud (set-config) and wait until it is applied or rolled back')
    .action(lazy(config, 'configApply'));
}

/** Commands that need no daemon: they read files. */
function registerOffline(program: Command): void {
  program
    .command('screen-apnea')
    .argument('<file>', 'heart-rate series: t_s,hr_bpm per beat (gzipped or not, header optional)')
    .option('-v, --verbose', 'also print minutes analysed/rejected and beats rejected to stderr')
    .description('screen a night for sleep apnea from heart rate: prints one A/N per minute, then the class A/B/C')
    .action(lazy(() => import('./commands/screen-apnea.js'), 'screenApneaCommand'));
  program
    .command('replay')
    .argument('<file>', 'readings as JSON Lines: {"ts": ms, "device": "id", "metric": "name", "value": ...} per line')
    .option('--speed <n>', 'replay in real time scaled by n (1 = real time, 60 = a minute per second)')
    .option('--as-fast-as-possible', 'no waiting between readings (the default)')
    .description('run a stream of readings through every detector (config: --config, else built-in defaults) and print the events')
    .action(lazy(() => import('./commands/replay.js'), 'replayCommand'));
}

/** What the daemon knows and does, over its control socket. */
function registerDaemonCommands(program: Command): void {
  program
    .command('status')
    .description('show the daemon, the uplink, every device and the open alarms')
    .action(lazy(() => import('./commands/status.js'), 'statusCommand'));
  const al = program.command('alarms').description('open alarms');
  al
    .command('list')
    .description('list open alarms')
    .action(lazy(alarms, 'alarmsList'));
  al
    .command('ack')
    .argument('[id]', 'id of the alarm (the event that raised it); a unique prefix of at least 4 characters will do')
    .option('--device <id>', 'acknowledge every open alarm of this device')
    .option('--by <name>', 'who takes it', technician())
    .description('acknowledge an open alarm (stops reminders; the cloud is told who took it)')
    .action(lazy(alarms, 'alarmsAck'));
  const esc = program.command('escalation').description('the local escalation ladder (siren, prompts, SMS and calls)');
  esc
    .command('test')
    .option('--by <name>', 'who runs the test', technician())
    .description('walk the ladder for real: siren, prompt, "测试 / test" to each contact by SMS and call')
    .action(lazy(() => import('./commands/escalation.js'), 'escalationTest'));
  program
    .command('events')
    .description('events as the hub commits them')
    .command('tail')
    .option('--device <id>', 'only this device')
    .option('--count <n>', 'stop after n events', (v) => Number(v))
    .action(lazy(events, 'eventsTail'));
  program
    .command('live')
    .description('every reading as it arrives (a sensor check on site)')
    .option('--device <id>', 'only this device')
    .option('--count <n>', 'stop after n lines', (v) => Number(v))
    .action(lazy(events, 'liveCommand'));
}

/** Commissioning and troubleshooting on site. */
function registerSiteChecks(program: Command): void {
  program
    .command('walktest')
    .description('commissioning walk test: test every device in turn, confirm alarms reach the cloud, print a report')
    .option('--device <id>', 'test only this device (repeat for several)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--timeout-s <n>', 'wait this long for each device, seconds', (v) => Number(v), 120)
    .option('--cloud-timeout-s <n>', 'wait this long for the cloud to confirm a test alarm, seconds', (v) => Number(v), 60)
    .option('--no-ack', 'leave test alarms unacknowledged (by default the walk test acknowledges them so reminders stop)')
    .option('--no-uplink-test', 'do not send the hub.test event that measures the uplink round trip')
    .option('--no-escalation-test', 'do not walk the escalation ladder at the end (it is walked when the hub has a modem: every contact gets a test SMS and call)')
    .option('--report <file>', 'also write the JSON report to this file')
    .action(lazy(() => import('./commands/walktest.js'), 'walktestCommand'));
  program
    .command('diagnose')
    .description('check ports, daemon, broker (TLS included), disk, clock, Bluetooth and last errors; a hint for each problem')
    .action(lazy(() => import('./commands/diagnose.js'), 'diagnoseCommand'));
  program
    .command('support-bundle')
    .description('write a tar.gz for support: redacted config, status and counters, diagnose, recent logs, versions')
    .option('--out <file>', 'where to write it (default: ./anju-support-<hub>-<time>.tar.gz)')
    .option('--include-personal', 'keep the resident\'s name, address, contacts and phone numbers (removed by default: personal data under PIPL)')
    .action(lazy(() => import('./commands/support-bundle.js'), 'supportBundleCommand'));
}

function registerDevices(program: Command): void {
  const dev = program.command('devices').description('configured devices and their links');
  dev
    .command('list')
    .description('every device: model, room, transport, link, last seen, counters')
    .action(lazy(devices, 'devicesList'));
  dev
    .command('show')
    .argument('<id>', 'device id')
    .description('everything the daemon knows about one device')
    .action(lazy(devices, 'devicesShow'));
  dev
    .command('add')
    .argument('[fragment]', 'the whole device entry as one YAML/JSON mapping, e.g. "{ id: hall-radar, model: hilink-ld2410, room: hall, serial: { path: /dev/ttyUSB1 } }"')
    .description('add a device to the config in force and apply it (validated, shown as a diff, rolled back if anjud does not come back)')
    .option('--id <id>', 'device id (A-Z a-z 0-9 _ -)')
    .option('--model <model>', 'device model (a folder under devices/)')
    .option('--room <room>', 'room the device is in')
    .option('--name <name>', 'human-friendly name')
    .option('--path <path>', 'serial: the port (prefer /dev/serial/by-id/...); modbus: the RS-485 adapter of a new bus')
    .option('--baud-rate <n>', 'serial / new RS-485 bus: line speed (default: the model\'s)', num)
    .option('--address <mac>', 'ble: the Bluetooth address (anjuctl pair --ble shows it)')
    .option('--adapter <hciN>', 'ble: the local adapter (default hci0)')
    .option('--ieee <0x...>', 'zigbee: the IEEE address, through our coordinator')
    .option('--friendly-name <name>', 'zigbee: the Zigbee2MQTT friendly name, through Zigbee2MQTT')
    .option('--bus <id>', 'modbus: the bus (default: the only one); a new bus needs --path or --host')
    .option('--unit <n>', 'modbus: the unit id (default: the model\'s)', num)
    .option('--host <host>', 'modbus: the Modbus TCP host of a new bus')
    .option('--port <n>', 'modbus: the Modbus TCP port of a new bus (default 502)', num)
    .option('--dry-run', 'show the changes; apply nothing')
    .option('--out <file>', 'also write the edited copy of the config to FILE')
    .option('--wait-s <n>', 'wait this long for the outcome beyond uplink.apply_verify_s, seconds', (v) => Number(v), 30)
    .action(lazy(devicesEdit, 'devicesAdd'));
  dev
    .command('remove')
    .argument('<id>', 'device id')
    .description('remove a device from the config in force and apply it (validated, shown as a diff, rolled back if anjud does not come back)')
    .option('--dry-run', 'show the changes; apply nothing')
    .option('--out <file>', 'also write the edited copy of the config to FILE')
    .option('--wait-s <n>', 'wait this long for the outcome beyond uplink.apply_verify_s, seconds', (v) => Number(v), 30)
    .action(lazy(devicesEdit, 'devicesRemove'));
  program
    .command('pair')
    .description('open the Zigbee network for joining (default 60 s; --close to close it), or scan for Bluetooth LE devices (--ble, default 10 s)')
    .option('--seconds <n>', 'how long: Zigbee 1-254 s (default 60), BLE scan 1-60 s (default 10)', (v) => Number(v))
    .option('--close', 'close the Zigbee network now')
    .option('--ble', 'scan for Bluetooth LE devices instead, and say how to add them')
    .option('--adapter <hciN>', 'with --ble: the local Bluetooth adapter (default: the configured devices\', else hci0)')
    .option('--room <room>', 'with --ble: the room to put in the suggested `devices add` lines')
    .action(lazy(() => import('./commands/pair.js'), 'pairCommand'));
}

/** Releases, first boot and the hub's reports. */
function registerHubLifecycle(program: Command): void {
  const rel = program.command('release').description('the release manager\'s checks of anjud (packaging/anju-release runs them; a technician may too)');
  rel
    .command('gate')
    .description('wait until anjud (the version given) is ready, committing and connected, and stays so; KEY=value lines, exit 0 passed, 1 failed')
    .requiredOption('--expect-version <v>', 'the version that must answer')
    .option('--timeout-s <s>', 'give up after this long', '120')
    .option('--settle-s <s>', 'healthy for this long, with one process', '10')
    .option('--uplink <mode>', 'required | optional: whether the uplink must connect (optional: the previous release was not connected either)', 'required')
    .option('--unit <name>', 'the systemd unit to watch (when systemd runs)', 'anjud.service')
    .action(lazy(release, 'releaseGate'));
  rel
    .command('probe')
    .description('print the running daemon\'s version, pid and uplink state (the manager\'s baseline before it switches); exit 3 when anjud does not answer')
    .action(lazy(release, 'releaseProbe'));
  rel
    .command('report')
    .description('ask anjud to read the release journal now and report what it owes the cloud (hub.upgraded after a confirmed upgrade)')
    .action(lazy(release, 'releaseReport'));
  program
    .command('init')
    .description('first boot: write a minimal config, make the hub\'s TLS key and CSR, show the hub id and CSR fingerprint (text and QR)')
    .option('--hub-id <id>', 'hub id from the label on the box (default: the config\'s with --force, else a new one)')
    .option('--broker <url>', 'the district\'s broker, e.g. mqtts://mqtt.district.example:8883')
    .option('--timezone <tz>', 'IANA time zone of the home (default: this machine\'s)')
    .option('--name <text>', 'a name for the hub, e.g. the address')
    .option('--ca <file>', 'CA certificate of the broker (PEM), copied to ca.pem next to the config')
    .option('--cert <file>', 'the hub\'s certificate signed by the district\'s CA (PEM), copied to hub.crt')
    .option('--release-key <file>', `the district's release key(s) for updates (Ed25519 PEM), copied to ${RELEASE_KEYS_FILE}`)
    .option('--state-dir <dir>', 'where the database lives (default /var/lib/anju)')
    .option('--control-socket <path>', 'anjud\'s control socket (default /run/anju/anjud.sock)')
    .option('--force', 'write the config again on a provisioned hub (the old one is kept as .bak)')
    .option('--new-key', 'make a new TLS key even if there is one (a certificate issued for the old key stops working)')
    .option('--qr <mode>', 'QR code: ansi (black on white, default on a terminal), text (plain half blocks), none', undefined)
    .action(lazy(() => import('./commands/init.js'), 'initCommand'));
  program
    .command('report')
    .description('reports the hub made (sleep)')
    .command('night')
    .description('a night\'s sleep report, its sleep-apnea risk and the 30-night trend')
    .option('--date <YYYY-MM-DD>', 'the night that began that evening (default: the latest night)')
    .option('--device <id>', 'only this bed radar\'s nights (a home with two beds)')
    .option('--format <svg|png>', 'draw the night as a chart: breathing, heart rate, SpO2, apnea and desaturation marks, in-bed and asleep bands, alarms, and the summary (png needs rsvg-convert)')
    .option('--out <file>', 'where to write the chart (svg: default stdout)')
    .action(lazy(() => import('./commands/report.js'), 'reportNight'));
}
