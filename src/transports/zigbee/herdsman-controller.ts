import { Controller, setLogger } from 'zigbee-herdsman';
import type { ZigbeeControllerEvents, ZigbeeControllerFactory, ZigbeeControllerPort } from './controller-port.js';

/**
 * The only file that touches zigbee-herdsman: its Controller behind our ZigbeeControllerPort.
 * Kept thin (no decisions here) because only its failure paths run without a real coordinator
 * (tests/unit/transports/herdsman-controller.test.ts); the decisions are in zigbee-network.ts,
 * tested against a fake port.
 */
export const createHerdsmanController: ZigbeeControllerFactory = (spec, events) => {
  routeHerdsmanLog(events);
  const c = new Controller({
    // zigbee-herdsman 11 renamed `serialPort` to `transport` (same fields; "unified transport", 11.0.0).
    // It does not reject unknown keys: given `serialPort`, it would look for a stick on its own.
    transport: { path: spec.serialPort.path, adapter: spec.serialPort.adapter, baudRate: spec.serialPort.baudRate, rtscts: spec.serialPort.rtscts },
    databasePath: spec.databasePath,
    databaseBackupPath: spec.databaseBackupPath,
    backupPath: spec.backupPath,
    network: { panID: spec.network.panId, extendedPanID: spec.network.extendedPanId, channelList: [spec.network.channel], networkKey: spec.network.networkKey },
    adapter: { disableLED: false },
    // Everyone may join while permit-join is open (an installer opens it for a bounded time);
    // devices not in our config are reported in status and ignored.
    acceptJoiningDeviceHandler: async () => true,
  });
  c.on('message', (m) => {
    if (m.data === null || typeof m.data !== 'object' || Array.isArray(m.data) || Buffer.isBuffer(m.data)) return;
    events.message({ ieee: m.device.ieeeAddr, endpoint: m.endpoint.ID, cluster: String(m.cluster), type: m.type, data: m.data as Record<string, unknown>, linkquality: m.linkquality });
  });
  c.on('deviceJoined', (d) => events.deviceJoined(d.device.ieeeAddr));
  c.on('deviceInterview', (d) => events.deviceInterview(d.device.ieeeAddr, d.status, { modelId: d.device.modelID, manufacturer: d.device.manufacturerName }));
  c.on('deviceAnnounce', (d) => events.deviceAnnounce(d.device.ieeeAddr));
  c.on('deviceLeave', (d) => events.deviceLeave(d.ieeeAddr));
  c.on('permitJoinChanged', (d) => events.permitJoinChanged(d.permitted));
  c.on('adapterDisconnected', () => events.adapterDisconnected());

  const endpoint = (ieee: string, id: number) => {
    const ep = c.getDeviceByIeeeAddr(ieee)?.getEndpoint(id);
    if (!ep) throw new Error(`device ${ieee} endpoint ${id} is not known to the coordinator`);
    return ep;
  };
  const port: ZigbeeControllerPort = {
    async start() { await c.start(); },
    async stop() { await c.stop(); },
    async permitJoin(seconds) { await c.permitJoin(seconds); },
    coordinatorIeee: () => c.getDevicesByType('Coordinator')[0]?.ieeeAddr ?? '',
    endpointsWithCluster: (ieee, cluster) => c.getDeviceByIeeeAddr(ieee)?.endpoints.filter((e) => e.supportsInputCluster(cluster)).map((e) => e.ID) ?? [],
    async readIasZone(ieee, ep) {
      const r = await endpoint(ieee, ep).read('ssIasZone', ['iasCieAddr', 'zoneState', 'zoneType']);
      return { iasCieAddr: r.iasCieAddr, zoneState: r.zoneState, zoneType: r.zoneType };
    },
    async writeIasCieAddress(ieee, ep, cieIeee) { await endpoint(ieee, ep).write('ssIasZone', { iasCieAddr: cieIeee }); },
    async sendIasEnrollResponse(ieee, ep, zoneId) {
      await endpoint(ieee, ep).command('ssIasZone', 'enrollRsp', { enrollrspcode: 0, zoneid: zoneId }, { disableDefaultResponse: true });
    },
    async bind(ieee, ep, cluster) {
      const coordinator = c.getDevicesByType('Coordinator')[0]?.getEndpoint(1);
      if (!coordinator) throw new Error('coordinator endpoint 1 not known');
      await endpoint(ieee, ep).bind(cluster, coordinator);
    },
    async startWarning(ieee, ep, payload) {
      // A siren answers with a default response; waiting for it would hold the ladder on a slow mesh.
      await endpoint(ieee, ep).command('ssIasWd', 'startWarning', { ...payload }, { disableDefaultResponse: true });
    },
    async configureReporting(ieee, ep, r) {
      await endpoint(ieee, ep).configureReporting(r.cluster, [{ attribute: r.attribute, minimumReportInterval: r.minIntervalS, maximumReportInterval: r.maxIntervalS, reportableChange: r.reportableChange }]);
    },
  };
  return port;
};

/**
 * herdsman has one logger per process, which by default writes plain text to the console: on a hub
 * that breaks the JSON lines journald gets from anjud's stdout. Each new controller points it at its
 * own events (the network logs them with the device log's level filter).
 */
function routeHerdsmanLog(events: ZigbeeControllerEvents): void {
  const lazy = (m: string | (() => string)) => (typeof m === 'function' ? m : () => m);
  setLogger({
    debug: (m, ns) => events.stackLog('debug', ns, lazy(m)),
    info: (m, ns) => events.stackLog('info', ns, lazy(m)),
    warning: (m, ns) => events.stackLog('warn', ns, lazy(m)),
    error: (m, ns) => events.stackLog('error', ns, lazy(m)),
  });
}
