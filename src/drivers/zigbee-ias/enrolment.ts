/**
 * IAS Zone enrolment, as a pure plan. A zone only sends Zone Status Change Notifications to the
 * CIE (the coordinator) it is enrolled with. ZCL 07-5123 section 8.2.2.2.3 gives three ways; the
 * one that works with every sensor we ship is "trip-to-pair / auto-enroll-response":
 *
 *   1. write the coordinator's IEEE address into IAS_CIE_Address (attribute 0x0010);
 *   2. send Zone Enroll Response (command 0x00, code 0 = success, a zone id) without waiting for
 *      an Enroll Request, because many sensors never send one (they only ask once, right after
 *      joining, often before the interview is finished);
 *   3. read ZoneState (0x0000) back: 1 = enrolled.
 *
 * zigbee-herdsman 10.x already does this during its interview, and answers Enroll Requests itself.
 * We still check it after every interview and announce of a configured device because a sensor that
 * rejoined after a battery change, or was interviewed by another coordinator, may have lost or
 * changed its CIE address, and then it silently never reports a fire. The plan is idempotent: when
 * the zone already names our coordinator and says enrolled, nothing is sent.
 */

export interface IasEnrolmentState {
  /** IAS_CIE_Address as read, '0x' + 16 hex digits, or undefined when the read failed. */
  iasCieAddr?: string | undefined;
  /** ZoneState: 0 not enrolled, 1 enrolled. */
  zoneState?: number | undefined;
}

export type IasEnrolmentStep =
  | { kind: 'write-cie-address'; cluster: 'ssIasZone'; attribute: 'iasCieAddr'; value: string }
  | { kind: 'enroll-response'; cluster: 'ssIasZone'; command: 'enrollRsp'; payload: { enrollrspcode: 0; zoneid: number } };

/**
 * The zone id the coordinator assigns. One value for every zone is what herdsman does (23); the id
 * only matters to a CIE that arms zones individually, which we do not. We use the same value so
 * that our re-enrolment and herdsman's agree.
 */
export const DEFAULT_ZONE_ID = 23;

const normIeee = (s: string) => s.toLowerCase();

/** Whether the zone is enrolled with this coordinator. */
export function isEnrolled(state: IasEnrolmentState, coordinatorIeee: string): boolean {
  return state.zoneState === 1 && typeof state.iasCieAddr === 'string' && normIeee(state.iasCieAddr) === normIeee(coordinatorIeee);
}

/** The steps to enrol the zone, in order; empty when it already is. */
export function planEnrolment(state: IasEnrolmentState, coordinatorIeee: string, zoneId = DEFAULT_ZONE_ID): IasEnrolmentStep[] {
  if (isEnrolled(state, coordinatorIeee)) return [];
  return [
    { kind: 'write-cie-address', cluster: 'ssIasZone', attribute: 'iasCieAddr', value: normIeee(coordinatorIeee) },
    { kind: 'enroll-response', cluster: 'ssIasZone', command: 'enrollRsp', payload: { enrollrspcode: 0, zoneid: zoneId } },
  ];
}
