import type { Clock } from '../core/clock.js';
import { atLeastOneOf, int, matching, optional, refine, str, strictArgs } from '../uplink/args.js';
import { CommandError, type CommandSpec } from '../uplink/commands.js';
import { SET_CONFIG_MAX_YAML_CHARS } from '../uplink/contract.js';
import type { Uplink } from '../uplink/mqtt-uplink.js';
import type { AckResult } from '../alarms/alarms.js';
import type { PermitJoinResult } from '../transports/zigbee/types.js';
import type { EventDraft } from '../core/event.js';
import type { BleScanResult } from '../transports/ble/ble-scan.js';
import { bleModelsForServices } from '../drivers/ble-registry.js';
import type { UpdateArgs } from '../update/update-manager.js';
import { VERSION_PATTERN } from '../update/manifest.js';

/**
 * The commands the cloud can send this hub (docs/uplink.md, "Commands"). Each validates
 * its arguments before acting; the dispatcher turns failures into error responses.
 * `set-config` is offered when the daemon runs under the supervisor (the real anjud), which
 * applies it atomically and rolls back. `ack-alarm` acknowledges an open alarm (src/alarms/).
 */
const RESYNC_MAX = 10_000;

/** Who sent a command: the cloud (MQTT) or someone on site (the control socket, group anju). */
export type CommandOrigin = 'cloud' | 'local';

export function hubCommands(o: {
  clock: Clock;
  uplink: () => Uplink | null;
  status: () => unknown;
  /** Validates and schedules a new config (see supervisor.ts); throws CommandError when it refuses. */
  applyConfig?: (yamlText: string, origin: CommandOrigin) => unknown;
  ackAlarm: (id: string, by: string) => AckResult;
  /** Opens the Zigbee network for joining (0 closes it); null when the hub has no coordinator. */
  permitJoin?: (seconds: number) => Promise<PermitJoinResult> | null;
  /** One LE scan on a local adapter (default: the configured BLE devices' adapter, else hci0). */
  bleScan?: (seconds: number, adapter: string | undefined) => Promise<BleScanResult>;
  /** Configured BLE devices by upper-case address, to say which scanned ones are already known. */
  bleConfigured?: () => ReadonlyMap<string, string>;
  /** Commits a hub-level event through the ingest path (hub.test). */
  raiseEvent?: (draft: EventDraft) => void;
  /** The over-the-air `update` (src/update/update-manager.ts); without it the hub does not offer that command. */
  update?: (args: UpdateArgs) => unknown;
  /** The most recent stored reports of a type (of a device), newest first (anjuctl report night). */
  latestReports?: (type: string, device: string | null, limit: number) => readonly { seq: number; ts: number; device: string | null; dataJson: string }[];
}, origin: CommandOrigin = 'cloud'): Record<string, CommandSpec<never>> {
  const ping: CommandSpec<Record<string, never>> = {
    args: strictArgs({}),
    run: () => ({ pong: true, ts: o.clock.now() }),
  };
  const getStatus: CommandSpec<Record<string, never>> = {
    args: strictArgs({}),
    run: () => o.status(),
  };
  // Events after since_seq, reports after since_report_seq (docs/uplink.md, "resync"); either or
  // both, each at most `limit`. With since_seq alone the answer is what it was before reports could
  // be asked for: {count, lastSeq}.
  type ResyncArgs = { since_seq?: number | undefined; since_report_seq?: number | undefined; limit: number };
  const resync: CommandSpec<ResyncArgs> = {
    args: refine(
      strictArgs({
        since_seq: optional(int(0, Number.MAX_SAFE_INTEGER)),
        since_report_seq: optional(int(0, Number.MAX_SAFE_INTEGER)),
        limit: int(1, RESYNC_MAX, RESYNC_MAX), // per sequence
      }),
      atLeastOneOf<ResyncArgs>('since_seq', 'since_report_seq'),
    ),
    run({ since_seq, since_report_seq, limit }) {
      const u = o.uplink();
      if (!u) throw new CommandError('ANJU_CMD_NOT_READY', 'the uplink is not running');
      const events = since_seq === undefined ? { count: 0, lastSeq: null } : u.resync(since_seq, limit);
      if (since_report_seq === undefined) return events;
      const reports = u.resyncReports(since_report_seq, limit);
      return { ...events, reportCount: reports.count, lastReportSeq: reports.lastSeq };
    },
  };
  const ackAlarm: CommandSpec<{ id: string; by: string }> = {
    args: strictArgs({
      id: str(1, 64), // id of the event that raised the alarm
      by: str(1, 128, 'cloud'), // who took it: a dispatcher, a relative
    }),
    run({ id, by }) {
      const r = o.ackAlarm(id, by);
      if (!r.ok) throw new CommandError('ANJU_CMD_NOT_FOUND', `no open alarm raised by event ${id} (unknown, or already cleared)`);
      return { alarm_id: r.alarm.id, alarm_type: r.alarm.type, acked_ts: r.alarm.ackedTs, acked_by: r.alarm.ackedBy, already_acknowledged: r.alreadyAcked };
    },
  };
  const specs: Record<string, unknown> = { ping, 'get-status': getStatus, resync, 'ack-alarm': ackAlarm };
  // Bound to who sent it: a config from the cloud is held to the remote policy (supervisor.ts).
  const applyFrom = o.applyConfig;
  const apply = applyFrom && ((yaml: string) => applyFrom(yaml, origin));
  if (apply) {
    const setConfig: CommandSpec<{ yaml: string }> = {
      args: strictArgs({ yaml: str(1, SET_CONFIG_MAX_YAML_CHARS) }), // the uplink's size limit derives from it
      run: ({ yaml }) => apply(yaml),
    };
    specs['set-config'] = setConfig;
  }
  if (o.update) {
    const update: CommandSpec<UpdateArgs> = {
      // Shapes only: what they say (signature, architecture, version, size cap) is checked by the
      // update manager, which answers with its own codes (ANJU_CMD_UPDATE_*, src/update/errors.ts).
      args: strictArgs({
        url: str(1, 2048), // https:// only, no user info (checked by the update manager: ANJU_CMD_UPDATE_URL)
        size: int(1, Number.MAX_SAFE_INTEGER), // bytes of the package, signed
        sha256: matching(/^[0-9a-f]{64}$/, '64 lower-case hex digits'), // of the package, signed
        version: matching(VERSION_PATTERN, 'a version MAJOR.MINOR.PATCH[-PRERELEASE]'), // signed; must be newer than the running one
        arch: matching(/^[a-z0-9]{1,16}$/, 'a Debian architecture such as arm64 or amd64'), // signed; must be the hub's
        signature: optional(matching(/^[A-Za-z0-9+/]{86}==$/, 'the base64 of a 64-byte Ed25519 signature')), // of the manifest; absent: ANJU_CMD_UPDATE_UNSIGNED
      }),
      run: o.update,
    };
    specs.update = update;
  }
  return specs as Record<string, CommandSpec<never>>;
}

/**
 * Commands only the local control socket offers (anjuctl on site, group anju), never the cloud:
 * `permit-join` opens the Zigbee network, and anyone in radio range could then add a device.
 */
export function localOnlyCommands(o: Pick<Parameters<typeof hubCommands>[0], 'permitJoin' | 'bleScan' | 'bleConfigured' | 'raiseEvent' | 'latestReports'>): Record<string, CommandSpec<never>> {
  const permitJoin: CommandSpec<{ seconds: number }> = {
    args: strictArgs({ seconds: int(0, 254, 60) }), // how long new Zigbee devices may join; 0 closes
    async run({ seconds }) {
      const pending = o.permitJoin?.(seconds) ?? null;
      if (pending === null) throw new CommandError('ANJU_CMD_NOT_READY', 'this hub has no Zigbee coordinator (no zigbee: section or no zigbee: devices)');
      const r = await pending;
      if (!r.ok) throw new CommandError(r.code, r.message);
      return { seconds: r.seconds, until_ts: r.untilMs };
    },
  };
  // A scan is local-only too: it lists what is around the home (a presence signal of its own).
  const bleScan: CommandSpec<{ seconds: number; adapter?: string | undefined }> = {
    args: strictArgs({
      seconds: int(1, 60, 10), // how long to listen for advertisements
      adapter: optional(matching(/^hci\d{1,2}$/, 'a BlueZ adapter name such as hci0')), // default: the configured BLE devices' adapter, else hci0
    }),
    async run({ seconds, adapter }) {
      if (!o.bleScan) throw new CommandError('ANJU_CMD_NOT_READY', 'this build has no BLE scan');
      const r = await o.bleScan(seconds, adapter);
      if (!r.ok) throw new CommandError('ANJU_CMD_FAILED', `${r.problem}: ${r.message}`);
      const configured = o.bleConfigured?.() ?? new Map<string, string>();
      return {
        adapter: r.adapter, seconds: r.seconds,
        devices: r.devices.map((d) => ({ ...d, models: bleModelsForServices(d.uuids), configured_as: configured.get(`${r.adapter}/${d.address}`) ?? null })),
      };
    },
  };
  // A hub.test event (docs/uplink.md): the walk test measures the uplink round trip with it, also in a
  // home with no device that can raise a test alarm. It travels like any event, so its cloud ack
  // proves the whole path: outbox, broker, cloud, ack.
  const testEvent: CommandSpec<{ nonce: string; by: string }> = {
    args: strictArgs({
      nonce: matching(/^[A-Za-z0-9_-]{1,64}$/, '1 to 64 letters, digits, _ or -'), // chosen by the requester, to recognise its event on the event stream
      by: str(1, 128), // who asked, e.g. walktest:<user>
    }),
    run({ nonce, by }) {
      if (!o.raiseEvent) throw new CommandError('ANJU_CMD_NOT_READY', 'the store is not open');
      o.raiseEvent({ type: 'hub.test', severity: 'info', device: null, state: 'info', data: { nonce, by } });
      return { raised: true, nonce };
    },
  };
  // The nights the hub still has (issue 18: `anjuctl report night` and its 30-night trend). Local: the
  // cloud has every report already; on site the technician reads them without it.
  const sleepReports: CommandSpec<{ limit: number; device?: string | undefined }> = {
    args: strictArgs({
      limit: int(1, 400, 31), // newest first; 31 = a night and the 30 before it
      device: optional(matching(/^[A-Za-z0-9_-]{1,64}$/, 'a device id')), // only this bed radar's nights
    }),
    run({ limit, device }) {
      if (!o.latestReports) throw new CommandError('ANJU_CMD_NOT_READY', 'the store is not open');
      const rows = o.latestReports('report.sleep', device ?? null, limit);
      return { reports: rows.map((r) => ({ report_seq: r.seq, ts: r.ts, device: r.device, data: JSON.parse(r.dataJson) as unknown })) };
    },
  };
  return { 'permit-join': permitJoin, 'ble-scan': bleScan, 'test-event': testEvent, 'sleep-reports': sleepReports } as unknown as Record<string, CommandSpec<never>>;
}
