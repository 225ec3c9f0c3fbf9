/** IAS Zone (0x0500) and the few other ZCL clusters our alarm sensors use: pure decoding, no I/O. */
export { ZoneStatusBit, decodeZoneStatus, isZoneStatusWord, type ZoneStatus, type ZoneStatusBitName } from './zone-status.js';
export { ZoneType, zoneTypeName, parseZoneType, type ZoneTypeName } from './zone-types.js';
export { DEFAULT_ZONE_ID, isEnrolled, planEnrolment, type IasEnrolmentState, type IasEnrolmentStep } from './enrolment.js';
export { ZigbeeProfileSchema, ZigbeeDeviceProfileSchema, loadZigbeeProfile, type ZigbeeProfile, type ZigbeeDeviceProfile } from './profile-schema.js';
export { decodeZigbeeMessage, zoneStatusMeasurements, type ZigbeeMessage, type ZigbeeDecodeResult } from './decode.js';
