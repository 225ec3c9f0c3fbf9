import type { ZigbeeControllerEvents, ZigbeeControllerFactory, ZigbeeControllerPort, ZigbeeControllerSpec, ZigbeeReportingSpec } from '../../src/transports/zigbee/controller-port.js';

/**
 * A coordinator that exists only in memory: implements our ZigbeeControllerPort and emits what
 * zigbee-herdsman would (joined, interview, announce, messages, adapter lost). Every call the
 * network makes is recorded in `calls`, so tests can assert the enrolment sequence.
 */
export interface FakeZigbeeDevice {
  ieee: string;
  /** Endpoint id -> input clusters. */
  endpoints: Record<number, string[]>;
  /** IAS attributes as the device would answer them. */
  ias?: { iasCieAddr?: string; zoneState?: number; zoneType?: number };
}

export interface FakeCoordinator {
  factory: ZigbeeControllerFactory;
  /** Controllers created so far (one per start attempt). */
  created: number;
  /** Whether the stick is "plugged in": start() rejects while false. */
  present: boolean;
  running: boolean;
  spec: ZigbeeControllerSpec | null;
  calls: string[];
  devices: Map<string, FakeZigbeeDevice>;
  /** The events of the latest controller. */
  emit(): ZigbeeControllerEvents;
  /** Makes requests to devices fail (a sleepy device that is not listening). */
  failRequests: boolean;
}

export const FAKE_COORDINATOR_IEEE = '0x00124b0012345678';

export function createFakeCoordinator(): FakeCoordinator {
  let events: ZigbeeControllerEvents | null = null;
  const f: FakeCoordinator = {
    created: 0, present: true, running: false, spec: null, calls: [], devices: new Map(), failRequests: false,
    emit: () => { if (!events) throw new Error('no controller yet'); return events; },
    factory: (spec, ev) => {
      f.created++;
      f.spec = spec;
      events = ev;
      const dev = (ieee: string) => {
        if (f.failRequests) throw new Error('no response (device asleep)');
        const d = f.devices.get(ieee);
        if (!d) throw new Error(`unknown device ${ieee}`);
        return d;
      };
      const port: ZigbeeControllerPort = {
        async start() {
          f.calls.push('start');
          if (!f.present) throw new Error(`Error: No such file or directory, cannot open ${spec.serialPort.path}`);
          f.running = true;
        },
        async stop() { f.calls.push('stop'); f.running = false; },
        async permitJoin(s) { f.calls.push(`permitJoin ${s}`); },
        coordinatorIeee: () => FAKE_COORDINATOR_IEEE,
        endpointsWithCluster: (ieee, cluster) => Object.entries(f.devices.get(ieee)?.endpoints ?? {}).filter(([, cl]) => cl.includes(cluster)).map(([id]) => Number(id)),
        async readIasZone(ieee, ep) { f.calls.push(`read ${ieee}/${ep} ssIasZone`); return { ...dev(ieee).ias }; },
        async writeIasCieAddress(ieee, ep, cie) {
          f.calls.push(`write ${ieee}/${ep} iasCieAddr=${cie}`);
          dev(ieee).ias = { ...dev(ieee).ias, iasCieAddr: cie };
        },
        async sendIasEnrollResponse(ieee, ep, zoneId) {
          f.calls.push(`enrollRsp ${ieee}/${ep} zoneid=${zoneId}`);
          const d = dev(ieee);
          // A real zone enrols once it has a CIE address and gets the response.
          if (d.ias?.iasCieAddr) d.ias = { ...d.ias, zoneState: 1 };
        },
        async bind(ieee, ep, cluster) { dev(ieee); f.calls.push(`bind ${ieee}/${ep} ${cluster}`); },
        async startWarning(ieee, ep, p) {
          dev(ieee);
          f.calls.push(`startWarning ${ieee}/${ep} info=0x${p.startwarninginfo.toString(16).padStart(2, '0')} duration=${p.warningduration} duty=${p.strobedutycycle} strobelevel=${p.strobelevel}`);
        },
        async configureReporting(ieee, ep, r: ZigbeeReportingSpec) {
          dev(ieee);
          f.calls.push(`report ${ieee}/${ep} ${r.cluster}.${r.attribute} ${r.minIntervalS}-${r.maxIntervalS}`);
        },
      };
      return port;
    },
  };
  return f;
}
