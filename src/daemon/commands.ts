import type { Clock } from '../core/clock.js';
import { CommandError, type CommandSpec } from '../uplink/commands.js';
import type { Uplink } from '../uplink/mqtt-uplink.js';
import type { AckResult } from '../alarms/alarms.js';
import type { PermitJoinResult } from '../transports/zigbee/types.js';
import type { EventDraft } from '../core/event.js';
import type { BleScanResult } from '../transports/ble/ble-scan.js';
import { bleModelsForServices } from '../drivers/ble-registry.js';
import type { UpdateArgs } from '../update/update-manager.js';
import { COMMAND_ARGS, type ArgsOf, type CommandName, type ReplyOf } from '../control/protocol.js';
import type { DaemonStatus } from '../control/status.js';

/**
 * The commands the cloud can send this hub (docs/uplink.md, "Commands"), and those only the control
 * socket offers. Their arguments and replies are the protocol's (src/control/protocol.ts): here is
 * only what each does. The dispatcher validates the arguments first and turns failures into error
 * responses. `set-config` is offered when the daemon runs under the supervisor (the real anjud),
 * which applies it atomically and rolls back. `ack-alarm` acknowledges an open alarm (src/alarms/).
 */

/** Who sent a command: the cloud (MQTT) or someone on site (the control socket, group anju). */
export type CommandOrigin = 'cloud' | 'local';

/** What a command does with its parsed arguments. */
export type Handler<C extends CommandName> = (args: ArgsOf<C>) => ReplyOf<C> | Promise<ReplyOf<C>>;
export type Handlers = { [C in CommandName]?: Handler<C> };

/** Each handler with the protocol's schema of its command: what the dispatcher runs. */
export function commandSpecs(handlers: Handlers): Record<string, CommandSpec<never>> {
  const specs: Record<string, CommandSpec<never>> = {};
  for (const [name, run] of Object.entries(handlers) as Array<[CommandName, Handler<CommandName> | undefined]>) {
    if (run) specs[name] = { args: COMMAND_ARGS[name], run } as unknown as CommandSpec<never>;
  }
  return specs;
}

export function hubCommands(o: {
  clock: Clock;
  uplink: () => Uplink | null;
  status: () => DaemonStatus;
  /** Validates and schedules a new config (see supervisor.ts); throws CommandError when it refuses. */
  applyConfig?: (yamlText: string, origin: CommandOrigin, baseHash?: string) => ReplyOf<'set-config'> | Promise<ReplyOf<'set-config'>>;
  /** One night's chart data (src/daemon/night-data.ts); null when there is no such night. */
  nightData?: (args: ArgsOf<'report-night'>) => ReplyOf<'report-night'> | null;
  /** The config in force, redacted, with its hash (the supervisor's); without it no get-config. */
  getConfig?: () => Promise<ReplyOf<'get-config'>>;
  ackAlarm: (id: string, by: string) => AckResult;
  /** Opens the Zigbee network for joining (0 closes it); null when the hub has no coordinator. */
  permitJoin?: (seconds: number) => Promise<PermitJoinResult> | null;
  /** One LE scan on a local adapter (default: the configured BLE devices' adapter, else hci0). */
  bleScan?: (seconds: number, adapter: string | undefined) => Promise<BleScanResult>;
  /** Configured BLE devices by upper-case address, to say which scanned ones are already known. */
  bleConfigured?: () => ReadonlyMap<string, string>;
  /** Commits a hub-level event through the ingest path (hub.test). */
  raiseEvent?: (draft: EventDraft) => void;
  /** Reads the release manager's journal and commits the events it owes (src/daemon/upgrade-report.ts); returns how many. */
  reportUpgrades?: () => number;
  /** The over-the-air `update` (src/update/update-manager.ts); without it the hub does not offer that command. */
  update?: (args: UpdateArgs) => ReplyOf<'update'>;
  /** The most recent stored reports of a type (of a device), newest first (anjuctl report night). */
  latestReports?: (type: string, device: string | null, limit: number) => readonly { seq: number; ts: number; device: string | null; dataJson: string }[];
}, origin: CommandOrigin = 'cloud'): Record<string, CommandSpec<never>> {
  const handlers: Handlers = {
    ping: () => ({ pong: true, ts: o.clock.now() }),
    'get-status': () => o.status(),
    resync({ since_seq, since_report_seq, limit }) {
      const u = o.uplink();
      if (!u) throw new CommandError('ANJU_CMD_NOT_READY', 'the uplink is not running');
      const events = since_seq === undefined ? { count: 0, lastSeq: null } : u.resync(since_seq, limit);
      if (since_report_seq === undefined) return events;
      const reports = u.resyncReports(since_report_seq, limit);
      return { ...events, reportCount: reports.count, lastReportSeq: reports.lastSeq };
    },
    'ack-alarm'({ id, by }) {
      const r = o.ackAlarm(id, by);
      if (!r.ok) throw new CommandError('ANJU_CMD_NOT_FOUND', `no open alarm raised by event ${id} (unknown, or already cleared)`);
      return { alarm_id: r.alarm.id, alarm_type: r.alarm.type, acked_ts: r.alarm.ackedTs, acked_by: r.alarm.ackedBy, already_acknowledged: r.alreadyAcked };
    },
  };
  // Bound to who sent it: a config from the cloud is held to the remote policy (supervisor.ts).
  const applyConfig = o.applyConfig;
  if (applyConfig) handlers['set-config'] = ({ yaml, base_hash }) => applyConfig(yaml, origin, base_hash);
  if (o.getConfig) handlers['get-config'] = o.getConfig;
  // A night's series (issue 16): for the cloud too, which has the reports but not the readings.
  const nightData = o.nightData;
  if (nightData) {
    handlers['report-night'] = (args) => {
      const r = nightData(args);
      if (r === null) throw new CommandError('ANJU_CMD_NOT_FOUND', `no sleep report ${args.report_seq !== undefined ? `with report_seq ${args.report_seq}` : args.date !== undefined ? `of the night of ${args.date}` : 'yet'}${args.device ? ` for ${args.device}` : ''} on this hub`);
      return r;
    };
  }
  // Its arguments' meaning (signature, architecture, version, size cap) is the update manager's to check.
  if (o.update) handlers.update = o.update;
  return commandSpecs(handlers);
}

/**
 * Commands only the local control socket offers (anjuctl on site, group anju), never the cloud
 * (LOCAL_ONLY_COMMANDS): `permit-join` opens the Zigbee network, and anyone in radio range could
 * then add a device.
 */
export function localOnlyCommands(o: Pick<Parameters<typeof hubCommands>[0], 'permitJoin' | 'bleScan' | 'bleConfigured' | 'raiseEvent' | 'latestReports' | 'reportUpgrades'> & {
  /** Starts the escalation test walk; null when the config has no escalation: block. */
  escalationTest?: (by: string) => { id: string; rungs: number } | { refused: string } | null;
  /**
   * Sounds a configured siren with the test tone; null when `device` is not one (no such device, or its
   * model has no siren role); a failure while a real alarm's ladder has the siren sounding.
   */
  sirenTest?: (device: string, seconds: number) => Promise<{ ok: true } | { ok: false; detail: string }> | null;
}): Record<string, CommandSpec<never>> {
  return commandSpecs({
    async 'permit-join'({ seconds }) {
      const pending = o.permitJoin?.(seconds) ?? null;
      if (pending === null) throw new CommandError('ANJU_CMD_NOT_READY', 'this hub has no Zigbee coordinator (no zigbee: section or no zigbee: devices)');
      const r = await pending;
      if (!r.ok) throw new CommandError(r.code, r.message);
      return { seconds: r.seconds, until_ts: r.untilMs };
    },
    // A scan is local-only too: it lists what is around the home (a presence signal of its own).
    async 'ble-scan'({ seconds, adapter }) {
      if (!o.bleScan) throw new CommandError('ANJU_CMD_NOT_READY', 'this build has no BLE scan');
      const r = await o.bleScan(seconds, adapter);
      if (!r.ok) throw new CommandError('ANJU_CMD_FAILED', `${r.problem}: ${r.message}`);
      const configured = o.bleConfigured?.() ?? new Map<string, string>();
      return {
        adapter: r.adapter, seconds: r.seconds,
        devices: r.devices.map((d) => ({ ...d, models: bleModelsForServices(d.uuids), configured_as: configured.get(`${r.adapter}/${d.address}`) ?? null })),
      };
    },
    // A hub.test event (docs/uplink.md): the walk test measures the uplink round trip with it, also in a
    // home with no device that can raise a test alarm. It travels like any event, so its cloud ack
    // proves the whole path: outbox, broker, cloud, ack.
    'test-event'({ nonce, by }) {
      if (!o.raiseEvent) throw new CommandError('ANJU_CMD_NOT_READY', 'the store is not open');
      o.raiseEvent({ type: 'hub.test', severity: 'info', device: null, state: 'info', data: { nonce, by } });
      return { raised: true, nonce };
    },
    // The nights the hub still has (issue 18: `anjuctl report night` and its 30-night trend). Local: the
    // cloud has every report already; on site the technician reads them without it.
    'sleep-reports'({ limit, device }) {
      if (!o.latestReports) throw new CommandError('ANJU_CMD_NOT_READY', 'the store is not open');
      const rows = o.latestReports('report.sleep', device ?? null, limit);
      return { reports: rows.map((r) => ({ report_seq: r.seq, ts: r.ts, device: r.device, data: JSON.parse(r.dataJson) as Record<string, unknown> })) };
    },
    // The release manager (root, on the hub) says it wrote an outcome to its journal: hub.upgraded once
    // the health gate confirmed this release. Local only: the journal is the hub's, not the cloud's.
    // The escalation ladder walked for real with test texts (issue 15): every contact gets "测试 / test",
    // the siren chirps, the test prompt plays. Local only: someone on site runs it, with the family warned.
    'escalation-test'({ by }) {
      const r = o.escalationTest?.(by) ?? null;
      if (r === null) throw new CommandError('ANJU_CMD_NOT_READY', 'this hub has no escalation: section in its config');
      if ('refused' in r) throw new CommandError('ANJU_CMD_FAILED', r.refused);
      return r;
    },
    // The walk test's siren step (anjuctl walktest): someone on site listens for it. Local only, like
    // the escalation test: a siren sounded from afar would only alarm the home.
    async 'siren-test'({ device, seconds }) {
      const pending = o.sirenTest?.(device, seconds) ?? null;
      if (pending === null) throw new CommandError('ANJU_CMD_INVALID_ARGS', `device: "${device}" is not a siren of this hub (a configured device whose model has the role siren)`);
      const r = await pending;
      if (!r.ok) throw new CommandError('ANJU_CMD_FAILED', r.detail);
      return { device, seconds };
    },
    'report-upgrades'() {
      if (!o.reportUpgrades) throw new CommandError('ANJU_CMD_NOT_READY', 'the store is not open');
      return { raised: o.reportUpgrades() };
    },
  });
}
