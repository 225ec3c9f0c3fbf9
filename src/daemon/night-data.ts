import type { Config } from '../config/schema.js';
import type { ArgsOf, ReplyOf } from '../control/protocol.js';
import { MARGIN_MS, nightDateIn, nightSeries, SERIES_METRICS, type NightEvent, type NightPoint } from '../report/night-series.js';
import type { Db } from '../store/database.js';
import type { Outbox } from '../store/outbox.js';

/**
 * The `report-night` command's data (issue 16): picks the night (by report_seq, by the local date of
 * its start in hub.timezone, or the latest), then reads its bed's readings and the events of its
 * window from the store and hands them to the pure night-series.ts. Readings are kept for
 * `store.readings_retention_h` (72 h by default): an older night has its report and marks, and no
 * series. The readings table has no index on time (the insert path stays lean): the window is
 * found by walking row ids, which only ever grow with time, from the first row of the window.
 */
const METRICS = [...SERIES_METRICS, 'presence', 'bedState', 'sleepState'];
/** How many nights back a date may be looked up (a year and a little). */
const NIGHTS_BACK = 400;

export function createNightData(db: Db, outbox: Outbox, config: Readonly<Config>): (args: ArgsOf<'report-night'>) => ReplyOf<'report-night'> | null {
  const tz = config.hub.timezone ?? null;
  const firstId = db.prepare<[number], { id: number }>('SELECT id FROM readings WHERE ts >= ? ORDER BY id LIMIT 1');
  const readingsFrom = db.prepare<unknown[], { ts: number; metric: string; value: number | string }>(
    `SELECT ts, metric, value FROM readings WHERE id >= ? AND ts <= ? AND device = ? AND metric IN (${METRICS.map(() => '?').join(', ')}) ORDER BY id`,
  );
  const events = db.prepare<[number, number], { ts: number; type: string; state: string; device: string | null; data: string }>(
    "SELECT ts, type, state, device, data FROM events WHERE ts BETWEEN ? AND ? AND (type LIKE 'alarm.%' OR type IN ('event.apnea', 'event.desaturation'))",
  );
  return ({ report_seq, date, device }) => {
    const rows = outbox.reports.latest('report.sleep', device ?? null, NIGHTS_BACK);
    const startOf = (r: { ts: number; dataJson: string }) => {
      const s = (JSON.parse(r.dataJson) as { startTs?: unknown }).startTs;
      return typeof s === 'number' ? s : r.ts;
    };
    const row = report_seq !== undefined ? rows.find((r) => r.seq === report_seq)
      : date !== undefined ? rows.find((r) => nightDateIn(startOf(r), tz) === date)
        : rows[0];
    if (!row) return null;
    const report = { report_seq: row.seq, ts: row.ts, device: row.device, data: JSON.parse(row.dataJson) as Record<string, unknown> };
    const start = startOf(row);
    const end = typeof report.data.endTs === 'number' ? report.data.endTs : row.ts;
    const from = start - MARGIN_MS;
    const to = end + MARGIN_MS;
    const first = firstId.get(from);
    const readings: NightPoint[] = first === undefined || row.device === null ? [] : readingsFrom.all(first.id, to, row.device, ...METRICS).map((r) => ({
      ts: r.ts, metric: r.metric, value: r.metric === 'presence' ? r.value === 1 : r.value,
    }));
    const evs: NightEvent[] = events.all(from, to).map((e) => ({ ts: e.ts, type: e.type, state: e.state, device: e.device, data: JSON.parse(e.data) as Record<string, unknown> }));
    return { report, night: nightSeries({ report, readings, events: evs }), timezone: tz };
  };
}
