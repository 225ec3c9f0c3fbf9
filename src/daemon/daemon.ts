import type { Logger } from 'pino';
import type { BootClock, Clock } from '../core/clock.js';
import { ErrorCodes } from '../core/errors.js';
import { createLogLimiter } from '../core/log-limiter.js';
import { classOf, type EventDraft, type StoredEvent } from '../core/event.js';
import type { Config } from '../config/schema.js';
import type { Db } from '../store/database.js';
import { openStore } from '../store/open-store.js';
import { createSpaceReserve } from '../store/space-reserve.js';
import { createStorageHealth, type StorageHealth } from '../store/storage-health.js';
import { guardOutbox, guardTelemetry } from '../store/guarded.js';
import { transaction } from '../store/transaction.js';
import { createDetectorStateStore } from '../store/detector-state.js';
import { createQuotaKeeper } from '../store/quota.js';
import { createAlarmStore } from '../store/alarm-store.js';
import { createAlarms, type Alarms } from '../alarms/alarms.js';
import { createTelemetryOutbox } from '../store/telemetry-outbox.js';
import { createOutbox, type Outbox } from '../store/outbox.js';
import { createReadingStore, type ReadingStore } from '../store/readings.js';
import type { OpenPort } from '../transports/serial/serial-transport.js';
import { createCommandDispatcher } from '../uplink/commands.js';
import { createMqttUplink, type Uplink } from '../uplink/mqtt-uplink.js';
import { hubCommands, localOnlyCommands, type CommandOrigin } from './commands.js';
import { createClockSyncProbe, type ClockSyncProbe } from '../transports/clock/clock-sync.js';
import { systemBootClock } from '../transports/clock/boot-clock.js';
import { detectorBindings } from '../pipeline/bindings.js';
import { DETECTOR_TICK_MS } from '../pipeline/runner.js';
import { allDevices, catalogueOf, devicesOn } from '../config/devices.js';
import { testWarning } from '../escalation/ias-wd.js';
import type { ZigbeeControllerFactory } from '../transports/zigbee/index.js';
import { createControlSocket, type ControlSocket } from './control-socket.js';
import { createIngest, flushReadingsAndStates, type Ingest } from './ingest.js';
import { deviceSink, startTransports, type RunningTransports } from './transports.js';
import { sdNotify } from './sd-notify.js';
import { createUpgradeReporter, type UpgradeReporter } from './upgrade-report.js';
import { journalDir, type Attempt } from '../release/journal.js';
import { createUpgradeMarks } from '../store/upgrade-marks.js';
import { createHomeDescription, type HomeDescription } from './home-description.js';
import { createNightData } from './night-data.js';
import type { UpdateArgs, UpdateStatus } from '../update/update-manager.js';
import type { ContactChannel } from '../escalation/contact-channel.js';
import type { EscalationRunner } from './escalation.js';
import { setupEscalation } from './escalation-setup.js';

/**
 * Detector states that changed are saved at least this often (issue 12: a state change that starts
 * or ends a timer is on disk within a second), with the readings flush, or on their own when
 * `store.readings_flush_ms` is longer.
 */
const STATE_SAVE_MS = 1000;
/** How often the daemon looks whether the clock became synchronised, to correct earlier timestamps. */
const TS_CORRECTION_CHECK_MS = 1000;
/** How often the escalation ladder looks at its alarms and due rungs (cheap: a few comparisons). */
const ESCALATION_TICK_MS = 1000;

export interface DaemonDeps {
  config: Readonly<Config>;
  log: Logger;
  clock: Clock;
  version: string;
  /** How serial ports are opened: the real one, or the demo's simulated home. */
  openPort: OpenPort;
  /** Hash of the config file, announced in the birth message so the cloud sees what runs. */
  configHash: string;
  /**
   * How the Zigbee coordinator stack is made: zigbee-herdsman by default; tests pass a fake at our
   * own port (src/transports/zigbee/controller-port.ts), as the demo passes a simulated serial port.
   */
  zigbeeControllerFactory?: ZigbeeControllerFactory;
  /** The set-config command (from the cloud, or on site); without it the hub does not offer that command. */
  applyConfig?: (yamlText: string, origin: CommandOrigin, baseHash?: string) => Promise<ReplyOf<'set-config'>>;
  /** The get-config command (the supervisor's: it knows the file in force); without it the hub does not offer it. */
  getConfig?: () => Promise<ReplyOf<'get-config'>>;
  /** Whether the wall clock is synchronised: the system's (timesyncd, timedatectl) by default; tests pass their own. */
  clockSync?: ClockSyncProbe;
  /** Monotonic clock and boot id stored with each event: the system's by default; tests pass their own. */
  bootClock?: BootClock;
  /** The over-the-air `update` command (the supervisor's update manager); without it the hub does not offer it. */
  update?: (args: UpdateArgs) => ReplyOf<'update'>;
  /** The update in progress, for get-status. */
  updateStatus?: () => UpdateStatus | null;
  /**
   * What reaches people outside the home for the escalation ladder (SMS, calls): the modem
   * (src/escalation/contact-channel.ts); tests pass an in-memory one. Without it those rungs fail
   * with modem_unavailable (and say so in their events).
   */
  contactChannel?: ContactChannel;
}

import type { ReplyOf } from '../control/protocol.js';
import type { DaemonStatus } from '../control/status.js';

export type { DaemonStatus } from '../control/status.js';

export interface Daemon {
  /** Throws (after releasing what it opened) if the store cannot open or a component cannot start. */
  start(): void;
  stop(): Promise<void>;
  status(): DaemonStatus;
  /** Commits a hub-level event, e.g. hub.config_applied. */
  raise(draft: EventDraft): void;
}

/**
 * Composition root: constructs everything, starts in dependency order (store, uplink, devices)
 * and stops in reverse. One failing device never stops the others; a store that cannot open
 * throws, and the entry point exits non-zero so systemd restarts us.
 */
export function createDaemon(deps: DaemonDeps): Daemon {
  const { config, log, clock } = deps;
  let db: Db | null = null;
  let outbox: Outbox | null = null;
  let readings: ReadingStore | null = null;
  let uplink: Uplink | null = null;
  let ingest: Ingest | null = null;
  let alarms: Alarms | null = null;
  let escalation: EscalationRunner | null = null;
  /** A real alarm's ladder (not a test walk) that has the siren sounding, or also one still running its rungs. */
  const realLadder = (what: 'sounding' | 'running') => escalation?.state().ladders.find((l) => !l.test && (l.sounding || (what === 'running' && l.phase === 'running')));
  let control: ControlSocket | null = null;
  let home: HomeDescription | null = null;
  let stopped = false;
  let running: RunningTransports | null = null;
  // No hub runs before this code was written: a wall clock earlier than that is certainly wrong.
  const clockSync = deps.clockSync ?? createClockSyncProbe({ now: () => clock.now(), notBeforeTs: Date.UTC(2026, 10, 1) });
  const timers: NodeJS.Timeout[] = [];
  // A radar with a broken line can send a bad number ten times a second.
  const limitedLog = createLogLimiter(log);

  let health: StorageHealth | null = null;
  let usedBytes: (() => number) | null = null;
  let upgrades: UpgradeReporter | null = null;
  const startedTs = clock.now();
  /** The escalation ladder's way out of the home: the one tests pass, else the modem transport's (issue 15). */
  const contactChannel = (): ContactChannel | null => deps.contactChannel ?? running?.byName('modem')?.channel?.() ?? null;

  const onEvent = (e: StoredEvent): void => {
    // A report's seq is its own sequence (report_seq on the wire), not the events' seq.
    const seq = classOf(e.type) === 'report' ? { reportSeq: e.seq } : { seq: e.seq };
    const line = { event: { id: e.id, ...seq, type: e.type, state: e.state, device: e.device, data: e.data } };
    if (e.severity === 'critical' && e.state === 'raised') log.warn(line, `ALARM ${e.type} raised`);
    else log.info(line, `${e.type} ${e.state}`);
    uplink?.onEvent(e);
    home?.onEvent(e);
    control?.event(e);
    // An alarm raised or cleared: the ladder looks at once (fire sounds now, not at the next tick).
    if (escalation && classOf(e.type) === 'alarm') setImmediate(() => { if (!stopped) escalation?.tick(); });
  };

  let flushFailing = false;
  const flushReadings = (): void => {
    if (!health) return;
    const r = health.attempt('readings', () => flushReadingsAndStates(db, readings, ingest)); // one transaction: one fsync a flush for both
    // The store commits: the watchdog may keep pinging (sd-notify.ts). A full disk counts too: the
    // store answers at once, the daemon serves on (held alarms are published unstored), and a
    // restart would free nothing and drop what is held (issue 12, finding 1).
    if (r.ok || r.kind === 'full') sdNotify().progress();
    if (r.ok) {
      flushFailing = false;
    } else if (!flushFailing) {
      flushFailing = true; // once per episode: the storage state says the rest (status, heartbeat)
      log.error({ err: r.err, kind: r.kind }, 'cannot commit readings or detector state; will retry');
    }
  };

  const deviceCounts = () => {
    const recent = clock.now() - 5 * 60_000;
    let open = 0;
    let seen = 0;
    const up = new Set((running?.status() ?? []).flatMap((t) => t.devices.filter((d) => d.up).map((d) => d.id)));
    for (const d of allDevices(config)) {
      if (up.has(d.id)) open++;
      const last = ingest?.stats(d.id)?.lastSeenTs;
      if (last !== undefined && last !== null && last >= recent) seen++;
    }
    return { total: allDevices(config).length, open, seen_last_5min: seen };
  };

  function startAll(): void {
    const reserve = createSpaceReserve(config.state_dir, Math.round(config.store.reserve_mb * 1024 * 1024));
    const opened = openStore(config.state_dir, { now: () => clock.now(), doneWhen: config.uplink.delivery, reserve, version: deps.version });
    db = opened.db;
    const storeLog = log.child({ mod: 'store' });
    const h = createStorageHealth({
      dir: config.state_dir, reserve, clock, log: storeLog, inTransaction: () => db?.inTransaction === true,
      // Not from inside the failing write's call: the event that failed is held first.
      onChange: () => setImmediate(() => { if (!stopped) announceDisk(); }),
      onReleased: () => setImmediate(() => { if (!stopped) makeRoom(); }),
    });
    health = h;
    h.checkDisk(); // makes the reserve if it is missing and there is room
    clockSync.start();
    const bootClock = deps.bootClock ?? systemBootClock();
    outbox = createOutbox(db, clock, {
      doneWhen: config.uplink.delivery, clockUnsynced: () => clockSync.state() === 'unsynced', bootClock,
    });
    const uplinkOutbox = guardOutbox(outbox, h.run);
    readings = createReadingStore(db, clock);
    log.info({ stateDir: config.state_dir, pending: outbox.depth(), lastSeq: outbox.lastSeq(), quickCheckMs: opened.quickCheckMs, schema: opened.schema, storage: h.state() }, 'store open');
    const commandDeps = {
      clock, uplink: () => uplink, status: () => daemon.status(), ...(deps.applyConfig ? { applyConfig: deps.applyConfig } : {}),
      ...(deps.getConfig ? { getConfig: deps.getConfig } : {}),
      ...(deps.update ? { update: deps.update } : {}),
      permitJoin: (seconds: number) => running?.byName('zigbee')?.permitJoin?.(seconds) ?? null,
      bleScan: async (seconds: number, adapter: string | undefined) => {
        const { scanBle } = await import('../transports/ble/ble-scan.js');
        const { defaultSystemBusAddress } = await import('../transports/ble/node-ble.js');
        const configuredAdapter = devicesOn(config, 'ble')[0]?.ble.adapter;
        return scanBle({ busAddress: config.ble.bus_address ?? defaultSystemBusAddress(), adapter: adapter ?? configuredAdapter ?? 'hci0', seconds });
      },
      raiseEvent: (draft: EventDraft) => ingest?.raise(draft),
      reportUpgrades: () => h.run('upgrade_report', () => upgrades?.report() ?? 0),
      latestReports: (type: string, device: string | null, limit: number) => outbox!.reports.latest(type, device, limit),
      nightData: createNightData(db, outbox, config),
      bleConfigured: () => new Map(devicesOn(config, 'ble').map((d) => [`${d.ble.adapter}/${d.ble.address}`, d.id] as const)),
      ackAlarm: (id: string, by: string) => {
        const r = alarms!.ack(id, by, clock.now());
        if (r.ok && r.event) ingest?.raise(r.event);
        if (r.ok) escalation?.tick(); // the ladder stops now, not at the next tick
        return r;
      },
      // A test never gets in the way of a real alarm's ladder: its test tone would replace the alarm's
      // warning on the siren (and its end silence it), and contacts would get "test" texts amid real ones.
      escalationTest: (by: string) => {
        if (!escalation) return null;
        const busy = realLadder('running');
        if (busy) return { refused: `the escalation of ${busy.alarm.type} (alarm ${busy.alarm.id}) is running: a test walk now would sound over it and text the same contacts; test once the alarm is over` };
        return { id: escalation.test(by), rungs: escalation.rungs() };
      },
      sirenTest: (device: string, seconds: number) => {
        if (!allDevices(config).some((d) => d.id === device && d.roles.includes('siren'))) return null;
        const busy = realLadder('sounding');
        if (busy) return Promise.resolve({ ok: false as const, detail: `the siren is sounding for ${busy.alarm.type} (alarm ${busy.alarm.id}): a test tone now would silence it; test it once the alarm is over` });
        return running?.warn(device, testWarning(true, seconds)) ?? Promise.resolve({ ok: false as const, detail: 'the transports have not started yet' });
      },
    };
    const commands = createCommandDispatcher(config.hub.id, hubCommands(commandDeps, 'cloud'), log.child({ mod: 'cmd' }));
    // The local socket (anjuctl on site) has the cloud's commands plus the ones that must only be
    // given by someone in the home: opening the Zigbee network lets any device join.
    const localCommands = createCommandDispatcher(config.hub.id, { ...hubCommands(commandDeps, 'local'), ...localOnlyCommands(commandDeps) }, log.child({ mod: 'cmd' }));
    uplink = createMqttUplink({
      hubId: config.hub.id, config: config.uplink, outbox: uplinkOutbox, clock, log: log.child({ mod: 'uplink' }), version: deps.version,
      configHash: deps.configHash, commands, devices: deviceCounts, clockState: () => clockSync.state(), telemetry: guardTelemetry(createTelemetryOutbox(db), h.run),
      safely: (where, fn) => { h.attempt(where, fn); },
      storage: () => {
        const held = ingest?.held() ?? { events: 0, alarms: 0, dropped: 0 };
        return { state: h.state(), held: held.events, held_alarms: held.alarms, free_bytes: h.status().freeBytes };
      },
    });
    alarms = createAlarms(createAlarmStore(db), { renotifyMs: config.alarms.renotify_s * 1000 });
    const alarmGate = alarms;
    // The escalation ladder saves its state inside the transaction of its own events (escalation.ts).
    const gate = { admit: (d: EventDraft) => alarmGate.admit(d), rolledBack: () => alarmGate.rolledBack(), committed: (e: StoredEvent) => { alarmGate.committed(e); escalation?.committed(e); } };
    ingest = createIngest({
      clock, readings, outbox, states: createDetectorStateStore(db, clock, bootClock), detectors: detectorBindings(config), onEvent, gate,
      tap: (r) => {
        home?.heard(r);
        if (control?.hasReadingSubscribers) control.reading(r);
      },
      transact: (fn) => transaction(db!, fn),
      write: h.run,
      onImplausible: (device, m, b) => limitedLog.log('warn', `implausible:${device}:${m.metric}`, {
        code: ErrorCodes.IMPLAUSIBLE, device, metric: m.metric, value: Number.isFinite(m.value) ? m.value : String(m.value),
        min: b.min, max: Number.isFinite(b.max) ? b.max : null, unit: b.unit,
      }, 'implausible reading dropped (outside the metric\'s plausible range)'),
      onStoreError: (err, held) => log.debug({ code: ErrorCodes.STORE_WRITE, err: (err as Error).message, held }, 'held events: a commit failed again'),
      onHeld: (e) => {
        const reason = h.state() === 'disk_full' ? 'disk_full' : 'store_error';
        const line = { code: ErrorCodes.STORE_WRITE, event: { id: e.id, type: e.type, state: e.state, device: e.device }, reason, held: ingest?.held().events };
        log.error(line, `cannot commit ${e.type} ${e.state}: holding it in memory, published unstored, committed once the store takes it`);
        uplink?.onHeld(e, reason);
      },
      onHeldDropped: (dropped) => {
        log.error({ code: ErrorCodes.STORE_WRITE, dropped: dropped.length, types: [...new Set(dropped.map((e) => e.type))] }, 'too many events held in memory: dropped the oldest events (never alarms or reports)');
        uplink?.onHeldDropped(dropped.map((e) => e.id));
      },
      // Durations are measured on the monotonic clock: a step of the wall clock moves every timer.
      monoNowMs: () => bootClock.monoNowMs(),
      onClockStep: (stepMs) => {
        alarms?.rebase(stepMs);
        escalation?.rebase(stepMs);
        log.warn({ stepMs }, 'wall clock stepped: detector timers moved with it');
      },
    });
    if (opened.reset) {
      // The cloud hears of it in the new store's first event (a new epoch: the old one's seqs stop here).
      log.error({ reset: opened.reset }, 'the database was damaged: quarantined it (renamed, kept) and started a new one');
      ingest.raise({ type: 'hub.storage_reset', severity: 'critical', device: null, state: 'info', data: { ...opened.reset } });
    }
    // What the release manager did before this start (a rollback to this release, say): told once.
    const ing = ingest;
    upgrades = createUpgradeReporter({ dir: journalDir(), version: deps.version, marks: createUpgradeMarks(db), raise: (draft) => ing.raise(draft), now: () => clock.now(), log: log.child({ mod: 'release' }) });
    const u = upgrades;
    h.attempt('upgrade_report', () => u.report());

    timers.push(setInterval(flushReadings, config.store.readings_flush_ms));
    if (config.store.readings_flush_ms > STATE_SAVE_MS) {
      timers.push(setInterval(() => {
        try {
          flushReadingsAndStates(db, null, ingest); // the flush without readings: the states due
        } catch (err) {
          log.error({ err }, 'cannot commit detector state; will retry');
        }
      }, STATE_SAVE_MS));
    }
    // Once the clock is synchronised, events and reports of this boot stamped before are corrected
    // (those not yet published with their wrong ts). Costs nothing while there is none.
    timers.push(setInterval(() => {
      if (clockSync.state() !== 'synced') return;
      h.attempt('ts_correction', () => {
        const { events, reports } = uplinkOutbox.correctUnsyncedTs();
        if (events.length + reports.length === 0) return;
        log.info({
          corrected: events.length, firstSeq: events[0], lastSeq: events.at(-1),
          correctedReports: reports.length, firstReportSeq: reports[0], lastReportSeq: reports.at(-1),
        }, 'clock synchronised: corrected the ts of events and reports stamped before');
        uplink?.onTsCorrected();
      });
    }, TS_CORRECTION_CHECK_MS));
    timers.push(setInterval(() => {
      const ing = ingest;
      if (!ing) return;
      ing.tick();
      // The detectors' clock: a step since the last read has moved the reminders too (onClockStep).
      // A reminder's record fails on a full disk: this tick ends there, the next one tries again.
      h.attempt('alarm_store', () => { for (const reminder of alarms?.tick(ing.now()) ?? []) ing.raise(reminder); });
    }, DETECTOR_TICK_MS));
    const quota = createQuotaKeeper(db, { quotaBytes: Math.round(config.store.quota_mb * 1024 * 1024), doneColumn: config.uplink.delivery === 'cloud_ack' ? 'acked_ts' : 'delivered_ts' });
    usedBytes = quota.usedBytes;
    const enforceQuota = (): void => {
      const s = h.status();
      const q = quota.enforce(s.freeBytes === null ? null : { freeBytes: s.freeBytes, lowWaterBytes: s.lowWaterBytes });
      const why = q.limitBytes < q.quotaBytes ? 'file system low on space' : 'store over quota';
      if (q.evictedReadings + q.evictedHistory > 0) log.warn({ ...q }, `${why}: evicted readings and delivered history`);
      if (q.evictedReports > 0) log.error({ ...q }, `${why}: evicted undelivered reports (the next report tells the cloud which)`);
      if (q.change) {
        const raised = q.change === 'became_full';
        if (raised) log.error({ ...q }, 'store full of undelivered events: keeping every one of them, over quota');
        ingest?.raise({
          type: 'hub.storage_full', severity: 'critical', device: null, state: raised ? 'raised' : 'cleared',
          data: { usedBytes: q.usedBytes, quotaBytes: q.quotaBytes, queue: outbox?.depth() ?? null },
        });
      }
    };
    /** hub.disk_full follows the file system's state (src/store/storage-health.ts), raised once, cleared once. */
    let diskFullAnnounced = outbox.lastStateOf('hub.disk_full') === 'raised';
    const announceDisk = (): void => {
      const full = h.diskFull();
      if (full === diskFullAnnounced) return;
      diskFullAnnounced = full;
      const s = h.status();
      ingest?.raise({
        type: 'hub.disk_full', severity: 'critical', device: null, state: full ? 'raised' : 'cleared',
        data: {
          freeBytes: s.freeBytes, totalBytes: s.totalBytes, lowWaterBytes: s.lowWaterBytes, storeBytes: quota.fileBytes(),
          reserveBytes: s.reserve.bytes, reservePresent: s.reserve.present, lastError: s.lastError?.code ?? null,
        },
      });
    };
    /** The reserve was released for a write: evict and checkpoint now, while its room is there. */
    const makeRoom = (): void => {
      h.checkDisk();
      h.attempt('quota', enforceQuota);
    };
    const checkStorage = (): void => {
      h.checkDisk();
      announceDisk();
      h.attempt('quota', enforceQuota);
    };
    timers.push(setInterval(checkStorage, config.store.quota_check_s * 1000));
    checkStorage();
    const retentionMs = config.store.readings_retention_h * 3600_000;
    timers.push(setInterval(() => { flushReadings(); h.attempt('prune', () => readings?.prune(retentionMs)); }, 10 * 60_000));

    const ob = outbox;
    escalation = setupEscalation({
      config, db, clock, log: log.child({ mod: 'escalation' }), channel: contactChannel,
      siren: async (device, w) => running?.warn(device, w) ?? { ok: false, detail: 'transports not started' },
      raise: (draft) => ing.raise(draft), write: h.run, openAlarms: () => alarmGate.open(),
      ack: (id, by) => { commandDeps.ackAlarm(id, by); },
      uplinkConnected: () => uplink?.status().connected === true, lastCloudAckSeq: () => ob.lastCloudAck()?.seq ?? null,
    });
    if (escalation) {
      const esc = escalation;
      esc.start();
      timers.push(setInterval(() => h.attempt('escalation', () => esc.tick()), ESCALATION_TICK_MS));
    }

    control = createControlSocket({ path: config.control.socket, group: config.control.group, commands: localCommands, log: log.child({ mod: 'control' }) });
    control.start();
    const up = uplink;
    home = createHomeDescription({
      config, version: deps.version, configHash: deps.configHash, db, now: () => clock.now(), retain: (topic, payload) => up.retain(topic, payload), write: (where, fn) => { h.attempt(where, fn); },
    });
    home.start();
    uplink.start();
    // Every transport the config uses, created and started the same way (src/daemon/transports.ts).
    running = startTransports({
      config, catalogue: catalogueOf(config), sink: deviceSink(config, catalogueOf(config), ingest), clock, log, openPort: deps.openPort,
      zigbeeControllerFactory: deps.zigbeeControllerFactory,
    }, () => stopped);
    // node: the runtime actually running (package.json pins Node 24; a system node could differ).
    log.info({ hub: config.hub.id, devices: config.devices.length, version: deps.version, node: process.version }, 'anjud started');
  }

  const daemon: Daemon = {
    start() {
      try {
        startAll();
      } catch (err) {
        void daemon.stop(); // release the store and ports before the caller decides what next
        throw err;
      }
    },
    raise(draft) {
      ingest?.raise(draft);
    },
    async stop() {
      for (const t of timers) clearInterval(t);
      escalation?.stop();
      clockSync.stop();
      stopped = true;
      await running?.loading; // a transport still loading must not start after the stop
      await running?.stop();
      try { ingest?.snapshot(true); } catch (err) { log.error({ err }, 'cannot save detector state at stop'); }
      const held = ingest?.held();
      if (held && held.events > 0) log.error({ code: ErrorCodes.STORE_WRITE, held }, 'stopping with events the store could not take: they were published unstored, and are lost to the outbox');
      flushReadings();
      limitedLog.flush();
      await control?.stop();
      await uplink?.stop();
      db?.close();
      db = null;
      log.info('anjud stopped');
    },

    status() {
      const parts = running?.status() ?? [];
      const of = (id: string) => parts.flatMap((p) => p.devices).find((x) => x.id === id);
      return {
        hub: config.hub.id,
        version: deps.version,
        configHash: deps.configHash,
        timezone: config.hub.timezone ?? null,
        uplink: uplink?.status() ?? null,
        alarms: alarms?.open() ?? [],
        outbox: { depth: outbox?.depth() ?? { alarm: 0, event: 0, report: 0 }, oldestPendingTs: outbox?.oldestPendingTs() ?? null, lastSeq: outbox?.lastSeq() ?? 0 },
        devices: allDevices(config).map((d) => ({
          id: d.id, model: d.model, room: d.room, supervisionClass: d.supervisionClass, roles: d.roles, transport: d.transport, serial: of(d.id)?.serial ?? null, ble: of(d.id)?.ble ?? null, modbus: of(d.id)?.modbus ?? null,
          ingest: ingest?.stats(d.id),
        })),
        modbusBuses: parts.flatMap((p) => p.modbusBuses ?? []),
        bleAdapters: Object.assign({}, ...parts.map((p) => p.bleAdapters ?? {})) as DaemonStatus['bleAdapters'],
        zigbee: parts.find((p) => p.zigbee)?.zigbee ?? null,
        zigbee2mqtt: parts.find((p) => p.zigbee2mqtt)?.zigbee2mqtt ?? null,
        modem: parts.find((p) => p.modem)?.modem ?? null,
        storage: health && {
          ...health.status(), held: ingest?.held() ?? { events: 0, alarms: 0, dropped: 0 }, usedBytes: usedBytes?.() ?? null,
          quotaBytes: Math.round(config.store.quota_mb * 1024 * 1024),
        },
        release: { pid: process.pid, startedTs, lastAttempt: upgrades?.last() ?? null },
        update: deps.updateStatus?.() ?? null,
        escalation: escalation && {
          ladders: escalation.state().ladders.map((l) => ({
            alarm_id: l.alarm.id, alarm_type: l.alarm.type, phase: l.phase, rung: l.rung, attempt: l.attempt, inflight: l.inflight, sounding: l.sounding, test: l.test,
          })),
          channel: contactChannel()?.status() ?? null,
        },
      };
    },
  };
  return daemon;
}
