import fc from 'fast-check';
import { decodePdu } from '../../src/transports/modem/pdu.js';
import { check, type FuzzTarget } from '../target.js';

const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();

/** SMS PDUs from the modem (+CMGL/+CMT/+CDS lines): a delivered SMS or a status report comes from the network. */
export const modemPdu: FuzzTarget = {
  name: 'modem-sms-pdu',
  covers: ['src/transports/modem/pdu.ts decodePdu', 'src/transports/modem/gsm7.ts', 'src/transports/modem/pdu-address.ts'],
  holds: 'any text or bytes as a PDU in hex: never throws; a decoded PDU or a reason',
  property: () => fc.property(
    fc.oneof(
      fc.uint8Array({ maxLength: 180 }).map(toHex),
      // A plausible start: no SMSC, then SMS-DELIVER (0x04) or SMS-STATUS-REPORT (0x06) first octets.
      fc.tuple(fc.constantFrom('00', '07911326040000F0'), fc.constantFrom(0x04, 0x06, 0x44, 0x24), fc.uint8Array({ maxLength: 170 })).map(([smsc, fo, rest]) => `${smsc}${toHex(Uint8Array.of(fo))}${toHex(rest)}`),
      fc.string({ maxLength: 60 }),
    ),
    (hex) => {
      const r = decodePdu(hex);
      check(r.ok ? typeof r.pdu === 'object' && r.pdu !== null : typeof r.error === 'string' && r.error.length > 0, `result ${JSON.stringify(r)}`);
    },
  ),
};
