import type { StoredEvent } from '../core/event.js';
import type { Reading } from '../core/reading.js';
import type { BleScanDevice } from '../transports/ble/ble-scan.js';
import { VERSION_PATTERN } from '../update/manifest.js';
import type { UpdateManager } from '../update/update-manager.js';
import { atLeastOneOf, int, matching, optional, refine, str, strictArgs, type ArgsSchema } from '../uplink/args.js';
import { SET_CONFIG_MAX_YAML_CHARS } from '../uplink/contract.js';
import type { DaemonStatus, WaitingStatus } from './status.js';
import type { NightSeries } from '../report/night-series.js';

/**
 * The hub's commands, one map for everyone who speaks them: the daemon's handlers
 * (src/daemon/commands.ts) get the arguments these schemas parse and must return these replies; the
 * cloud's dispatcher (src/uplink/commands.ts, MQTT) and the control socket (src/daemon/control-socket.ts,
 * anjuctl) validate with the same schemas; anjuctl's client (src/cli/client.ts) sends `Sent<C>` and
 * reads `ReplyOf<C>`. A command is added here (its schema and reply), then handled in the daemon;
 * the compiler finds every side that disagrees. The wire format is in docs/uplink.md, "Commands".
 */

/** Per sequence, at most this many events (and reports) a resync sends. */
const RESYNC_MAX = 10_000;

export const COMMAND_ARGS = {
  ping: strictArgs({}),
  'get-status': strictArgs({}),
  // Events after since_seq, reports after since_report_seq (docs/uplink.md, "resync"); either or
  // both, each at most `limit`.
  resync: refine(
    strictArgs({
      since_seq: optional(int(0, Number.MAX_SAFE_INTEGER)),
      since_report_seq: optional(int(0, Number.MAX_SAFE_INTEGER)),
      limit: int(1, RESYNC_MAX, RESYNC_MAX), // per sequence
    }),
    atLeastOneOf('since_seq', 'since_report_seq'),
  ),
  'ack-alarm': strictArgs({
    id: str(1, 64), // id of the event that raised the alarm
    by: str(1, 128, 'cloud'), // who took it: a dispatcher, a relative
  }),
  'set-config': strictArgs({
    yaml: str(1, SET_CONFIG_MAX_YAML_CHARS), // the uplink's size limit derives from it
    // The hash get-config (or the birth) gave: the config this one was edited from. Refused when the
    // hub runs another by now (ANJU_CMD_STALE_CONFIG), so a device added on site is not overwritten.
    base_hash: optional(matching(/^[0-9a-f]{16}$/, 'the 16 hex digits of a config hash (get-config, birth config_hash)')),
  }),
  'get-config': strictArgs({}), // the config in force, secrets redacted, and its hash (issue 16)
  // A night on one page (issue 16): the series, bands and marks of one night, bounded (src/report/night-series.ts).
  'report-night': strictArgs({
    report_seq: optional(int(1, Number.MAX_SAFE_INTEGER)), // that report.sleep; else by date; else the latest
    date: optional(matching(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD: the night that began that evening (hub.timezone)')),
    device: optional(matching(/^[A-Za-z0-9_-]{1,64}$/, 'a device id')), // only this bed radar's nights
  }),
  // Shapes only: what they say (signature, architecture, version, size cap) is checked by the
  // update manager, which answers with its own codes (ANJU_CMD_UPDATE_*, src/update/errors.ts).
  update: strictArgs({
    url: str(1, 2048), // https:// only, no user info (checked by the update manager: ANJU_CMD_UPDATE_URL)
    size: int(1, Number.MAX_SAFE_INTEGER), // bytes of the package, signed
    sha256: matching(/^[0-9a-f]{64}$/, '64 lower-case hex digits'), // of the package, signed
    version: matching(VERSION_PATTERN, 'a version MAJOR.MINOR.PATCH[-PRERELEASE]'), // signed; must be newer than the running one
    arch: matching(/^[a-z0-9]{1,16}$/, 'a Debian architecture such as arm64 or amd64'), // signed; must be the hub's
    signature: optional(matching(/^[A-Za-z0-9+/]{86}==$/, 'the base64 of a 64-byte Ed25519 signature')), // of the manifest; absent: ANJU_CMD_UPDATE_UNSIGNED
  }),
  'permit-join': strictArgs({ seconds: int(0, 254, 60) }), // how long new Zigbee devices may join; 0 closes
  'ble-scan': strictArgs({
    seconds: int(1, 60, 10), // how long to listen for advertisements
    adapter: optional(matching(/^hci\d{1,2}$/, 'a BlueZ adapter name such as hci0')), // default: the configured BLE devices' adapter, else hci0
  }),
  'test-event': strictArgs({
    nonce: matching(/^[A-Za-z0-9_-]{1,64}$/, '1 to 64 letters, digits, _ or -'), // chosen by the requester, to recognise its event on the event stream
    by: str(1, 128), // who asked, e.g. walktest:<user>
  }),
  // The release manager asks anjud to read its journal now (packaging/README.md; anjuctl release report).
  'report-upgrades': strictArgs({}),
  // anjuctl escalation test: walks the escalation ladder for real with test texts (issue 15).
  'escalation-test': strictArgs({
    by: str(1, 128), // who asked, e.g. technician:<user>
  }),
  // anjuctl walktest's siren step: the hub sounds one siren briefly (the test tone) so the technician can hear it.
  'siren-test': strictArgs({
    device: matching(/^[A-Za-z0-9_-]{1,64}$/, 'a device id'), // a configured device whose model has the role siren
    seconds: int(1, 10, 2), // how long it sounds
  }),
  'sleep-reports': strictArgs({
    limit: int(1, 400, 31), // newest first; 31 = a night and the 30 before it
    device: optional(matching(/^[A-Za-z0-9_-]{1,64}$/, 'a device id')), // only this bed radar's nights
  }),
};

/** A device a BLE scan heard, with the models its services match and the configured device it is, if any. */
export interface ScannedBleDevice extends BleScanDevice {
  models: string[];
  configured_as: string | null;
}

/** What each command answers in `data` when it succeeded. */
export interface CommandReplies {
  ping: { pong: true; ts: number };
  'get-status': DaemonStatus;
  /** With since_seq alone, what it was before reports could be asked for: {count, lastSeq}. */
  resync: { count: number; lastSeq: number | null; reportCount?: number; lastReportSeq?: number | null };
  'ack-alarm': { alarm_id: string; alarm_type: string; acked_ts: number | null; acked_by: string | null; already_acknowledged: boolean };
  /** Accepted (applied after a restart that must reach the broker within verify_s), or the config in force already. */
  'set-config': { accepted: true; hash: string; previous_hash: string; verify_s: number } | { applied: false; unchanged: true; hash: string };
  /** One night: its stored report.sleep, the chart's data, and the home's time zone (to read its times). */
  'report-night': { report: StoredReport; night: NightSeries; timezone: string | null };
  /** The config file in force with secrets redacted, its hash, and which keys were redacted. */
  'get-config': { yaml: string; hash: string; redacted: string[] };
  update: ReturnType<UpdateManager['command']>;
  'permit-join': { seconds: number; until_ts: number | null };
  'ble-scan': { adapter: string; seconds: number; devices: ScannedBleDevice[] };
  'test-event': { raised: true; nonce: string };
  /** The stored report.sleep of the nights the hub still has, newest first (anjuctl report night). */
  'sleep-reports': { reports: StoredReport[] };
  /** The test walk started: its ladder's id (the alarm_id of its hub.escalation_* events) and its rungs. */
  'escalation-test': { id: string; rungs: number };
  /** The siren took the warning command (its transport's confirmation: the Zigbee answer, or Zigbee2MQTT's broker). */
  'siren-test': { device: string; seconds: number };
  /** How many hub.upgraded / hub.upgrade_rolled_back events the journal owed and were committed now. */
  'report-upgrades': { raised: number };
}

/** A report as the hub stored it: its report_seq, when, which device, and its data (docs/schema/report.v1.json). */
export interface StoredReport { report_seq: number; ts: number; device: string | null; data: Record<string, unknown> }

export type CommandName = keyof typeof COMMAND_ARGS;
// Both maps name the same commands: a command without its schema or its reply does not compile.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameNames: Same<CommandName, keyof CommandReplies> = true;
void sameNames;

type Schema<C extends CommandName> = (typeof COMMAND_ARGS)[C];
/** What a handler gets: the arguments parsed, defaults filled in. */
export type ArgsOf<C extends CommandName> = Schema<C> extends ArgsSchema<infer A, unknown> ? A : never;
/** What a sender may send: keys with a default, and optional ones, may be left out. */
export type Sent<C extends CommandName> = NonNullable<Schema<C>['input']>;
export type ReplyOf<C extends CommandName> = CommandReplies[C];

/** Commands only the control socket offers (on site, group anju), never the cloud (src/daemon/commands.ts). */
export const LOCAL_ONLY_COMMANDS = ['permit-join', 'ble-scan', 'test-event', 'sleep-reports', 'report-upgrades', 'escalation-test', 'siren-test'] as const satisfies readonly CommandName[];

/** A daemon waiting for provisioning (src/daemon/waiting.ts) answers these only, get-status with its own shape. */
export interface WaitingReplies {
  ping: ReplyOf<'ping'>;
  'get-status': WaitingStatus;
}

// The control socket's lines (one JSON object per line, src/daemon/control-socket.ts).

/** A request line: `cmd` is a command above, or `subscribe`. */
export interface ControlRequest { id: unknown; cmd: string; args?: unknown }

/** Why a request line was refused: the reply the socket sends for it. */
export interface ControlLineError { id: unknown; ok: false; code: 'ANJU_CMD_BAD_JSON' | 'ANJU_CMD_INVALID_ARGS'; message: string }

/**
 * One request line, hostile until checked (any local process of group anju may write one). Total:
 * never throws. JSON that is not an object (`null`, `42`, a list) is refused like a line that is not
 * JSON; `null` used to reach `req.id` and, thrown inside the socket's async handler, stopped the
 * daemon (issue 17, found by the fuzz target `control-request`).
 */
export function parseControlRequest(line: string): { ok: true; req: ControlRequest } | { ok: false; reply: ControlLineError } {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (err) {
    return { ok: false, reply: { id: null, ok: false, code: 'ANJU_CMD_BAD_JSON', message: `not JSON: ${(err as Error).message}` } };
  }
  const o = v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as { [K in keyof ControlRequest]?: unknown }) : null;
  const id = o?.id ?? null;
  if (o === null || typeof o.cmd !== 'string') {
    return { ok: false, reply: { id, ok: false, code: 'ANJU_CMD_INVALID_ARGS', message: 'expected {"id": ..., "cmd": "<name>", "args": {...}}' } };
  }
  return { ok: true, req: { id, cmd: o.cmd, ...(o.args === undefined ? {} : { args: o.args }) } };
}

/** What `subscribe` takes: committed events (default on) and/or readings (default off), of one device or all. */
export interface SubscribeArgs { events?: boolean; readings?: boolean; device?: string }

/** A reply line: the request's id and the dispatcher's response (docs/uplink.md, "Commands"). */
export type ControlReply<R> =
  | { id: unknown; ok: true; data: R; code?: undefined; message?: undefined }
  | { id: unknown; ok: false; code: string; message: string; data?: undefined };

/** A line of a subscription, as the arguments of its callback: a committed event, or a reading. */
export type StreamMessage = ['event', StoredEvent] | ['reading', Reading];
