import type { FleetResult } from './analyze.js';

const v = (x: unknown) => (x === null || x === undefined || x === Infinity ? '–' : String(x));

/** The run's figures as markdown (printed, and written to fleet.md next to fleet.json and fleet.svg). */
export function markdown(r: FleetResult): string {
  const a = r.args;
  const p = r.phases;
  const c = r.cost;
  const lines = [
    `# Fleet run: ${a.hubs} hubs, ${a.outageS} s outage, ${a.ingest} anju-ingest instances — ${r.pass ? 'PASS' : 'FAIL'}`,
    '',
    `Rates per hub: an alarm every ${a.rates.alarmEveryS} s, an event every ${a.rates.eventEveryS} s (both mean, exponential), a reading every ${a.rates.readingEveryS} s sent as telemetry every ${a.uplink.telemetryS} s, a heartbeat every ${a.uplink.heartbeatS} s. Uplink: reconnect ${a.uplink.reconnectMinS}..${a.uplink.reconnectMaxS} s full jitter, ack timeout ${a.uplink.ackTimeoutS} s. ${a.workers} hub processes.`,
    '',
    `Timeline (s from start): connected ${v(p.connectedS)}, outage ${v(p.outageFromS)}–${v(p.outageToS)}, ingest instance killed -9 at ${v(p.ingestKilledS)}, hubs quiet at ${v(p.quietS)}, all acked at ${v(p.drainedS)}.`,
    '',
    '| figure | value |',
    '| --- | --- |',
    `| connections before / lowest during outage / all back after (s) | ${v(r.connections.before)} / ${v(r.connections.duringOutageMin)} / ${v(r.connections.allBackAfterS)} |`,
    `| reconnects after the outage: count, p50 / p90 / max (s after the broker came back) | ${r.reconnects.count}: ${v(r.reconnects.p50S)} / ${v(r.reconnects.p90S)} / ${v(r.reconnects.maxS)} |`,
    `| reconnect peak (per second) and flattening (reconnects ÷ peak; 1 = a storm) | ${r.reconnects.peakPerS}, ×${v(r.reconnects.flattening)} |`,
    `| alarms raised during the outage: stored / acked | ${r.outageAlarms.raised}: ${r.outageAlarms.stored} / ${r.outageAlarms.acked} |`,
    `| every outage alarm stored, acked (s after the broker came back) | ${v(r.outageAlarms.allStoredAfterS)}, ${v(r.outageAlarms.allAckedAfterS)} |`,
    `| alarms raised / acked in the whole run; alarms+events committed / rows in PostgreSQL | ${r.totals.alarmsRaised} / ${r.totals.alarmsAcked}; ${r.totals.committed} / ${r.totals.storedRows} |`,
    `| gaps (seq holes in PostgreSQL / committed but missing / hubs affected) | ${r.gaps.holes} / ${r.gaps.missing} / ${r.gaps.hubsWithGap} |`,
    `| duplicates absorbed by the ingest (unique key); hub resends | ${r.duplicatesAbsorbed}; ${r.hubResends} |`,
    `| hub processes: RSS per hub (beyond ${c.emptyProcessesRssMiB} MiB empty), peak RSS | ${v(c.rssPerHubKiB)} KiB, ${c.peakRssMiB} MiB |`,
    `| hub processes: CPU (steady, % of one core), CPU per hub | ${v(c.hubProcessesCpuPctOfOneCore)} %, ${v(c.cpuMsPerHubPerMin)} ms/min |`,
    `| Mosquitto: CPU (steady, % of one core), RSS | ${v(c.brokerCpuPctOfOneCore === null ? null : Math.round(c.brokerCpuPctOfOneCore))} %, ${v(c.brokerRssMiB)} MiB |`,
    `| anju-ingest instances: CPU (steady, % of one core each) | ${c.ingestCpuPctOfOneCore.map((x) => v(x === null ? null : Math.round(x))).join(', ')} |`,
    '',
    '| ingest instance | stored before the kill | stored after | duplicates | messages |',
    '| --- | --- | --- | --- | --- |',
    ...r.ingest.map((i) => `| ${i.clientId}${i.killed ? ' (killed -9)' : ''} | ${i.storedBeforeKill} | ${i.storedAfterKill} | ${i.duplicates} | ${i.messages} |`),
    '',
  ];
  if (r.problems.length > 0) lines.push('Problems:', ...r.problems.map((x) => `- ${x}`), '');
  if (r.warnings.length > 0) lines.push('Hub warnings (count):', ...r.warnings.map(([m, n]) => `- ${m}: ${n}`), '');
  return lines.join('\n');
}
