/**
 * The seam between the escalation ladder (src/escalation/, issue 15) and whatever reaches a person
 * outside the home: today a cellular modem on a serial port (src/transports/modem/). The ladder only
 * knows this interface; the modem only knows AT commands. Both sides are tested at this seam: the ladder
 * against an in-memory channel, the modem against a fake modem on a pty written from 3GPP TS 27.005/27.007.
 *
 * Results are values, never throws: a channel that cannot send says why (`code`), and the ladder decides
 * whether to retry, move to the next contact or stop.
 */

/** Why a send or call did not happen (stable codes; events and docs/escalation.md use them). */
export type ChannelFailureCode =
  | 'sim_missing'
  | 'sim_pin_required'
  | 'no_network'
  | 'modem_unavailable'
  | 'rejected'
  | 'timeout'
  | 'busy'
  | 'no_answer'
  /** The caller called it off (`signal`): the ladder stopped, its alarm cleared or acknowledged. */
  | 'cancelled';

export type ChannelResult<T> =
  | ({ readonly ok: true } & T)
  | {
      readonly ok: false;
      readonly code: ChannelFailureCode;
      /** Human detail, e.g. `+CMS ERROR: 330 (SMSC address unknown)`. */
      readonly detail: string;
    };

export interface SmsSent {
  /** One message reference (TP-MR) per part, in order; delivery reports refer to them. */
  readonly refs: readonly number[];
  readonly parts: number;
}

export interface CallOptions {
  readonly promptFile?: string;
  readonly ringSeconds: number;
  readonly signal?: AbortSignal;
}

export interface CallMade {
  /** True when the call was answered (where the module reports it). */
  readonly answered: boolean;
  /** True when a prompt was played into the call; false means ring-and-hang-up only. */
  readonly promptPlayed: boolean;
}

export interface ChannelStatus {
  readonly state: 'ready' | 'sim_missing' | 'sim_pin_required' | 'no_network' | 'searching' | 'unavailable';
  /** Received signal strength in dBm, when known (from +CSQ). */
  readonly rssiDbm: number | null;
  readonly operator: string | null;
  /** Human detail for status screens. */
  readonly detail: string;
}

/** Something that arrived from outside: a contact's reply or call. */
export type InboundMessage =
  | { readonly kind: 'sms'; readonly from: string; readonly text: string; readonly at: number }
  | { readonly kind: 'ring'; readonly from: string | null; readonly at: number }
  | {
      readonly kind: 'delivery_report';
      readonly ref: number;
      readonly to: string;
      readonly delivered: boolean;
      /** TP-Status as received (0x00 = received by the handset). */
      readonly status: number;
      readonly at: number;
    };

export interface ContactChannel {
  /** Sends `text` (any Unicode; UCS-2 PDU mode, concatenated when long) to an E.164 number. */
  sendSms(to: string, text: string): Promise<ChannelResult<SmsSent>>;
  /**
   * Calls `to`; plays `promptFile` into the call where the module supports it, otherwise rings for
   * `ringSeconds` and hangs up. When `signal` aborts, a call not yet dialled is not made and a
   * ringing one is hung up at once (`cancelled`); an answered one stops its prompt and hangs up.
   */
  call(to: string, opts: CallOptions): Promise<ChannelResult<CallMade>>;
  status(): ChannelStatus;
  /** Registers the handler for replies, calls and delivery reports; returns an unsubscribe function. */
  onInbound(handler: (message: InboundMessage) => void): () => void;
}
