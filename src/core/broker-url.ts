import { isIPv4 } from 'node:net';

/**
 * An MQTT broker URL, parsed once, the same way for the config check and for the client
 * (issue 12, finding 6). The config used to check the host with a regex while mqtt.js parsed the
 * URL with the legacy url.parse(): `mqtt://192.0.2.2:41884?x=@localhost` was "localhost" to the
 * regex and 192.0.2.2 to the client, which then sent the password there in clear text. Now the
 * validator judges the parsed endpoint, and the uplink hands mqtt.js that endpoint (protocol, host,
 * port) rather than the string, so the two cannot disagree. What the client would read from a URL
 * beyond scheme, host, port (and a path for WebSockets) is refused outright: user info (credentials
 * belong in username / password_file), a query (mqtt.js takes options such as clientId from it) and
 * a fragment.
 */
export type BrokerProtocol = 'mqtt' | 'mqtts' | 'ws' | 'wss';

export interface BrokerEndpoint {
  readonly protocol: BrokerProtocol;
  /** Host name or IP address, as connected to (an IPv6 address without its brackets). */
  readonly host: string;
  readonly port: number;
  /** WebSocket path (ws, wss), e.g. /mqtt; undefined for mqtt and mqtts. */
  readonly path: string | undefined;
  /** mqtts or wss. */
  readonly encrypted: boolean;
  /** localhost, 127.0.0.0/8 or ::1: traffic that never leaves the hub. */
  readonly loopback: boolean;
}

const DEFAULT_PORT: Record<BrokerProtocol, number> = { mqtt: 1883, mqtts: 8883, ws: 80, wss: 443 };
const HOST_NAME = /^[A-Za-z0-9._-]+$/;

export type BrokerUrlResult = { ok: true; endpoint: BrokerEndpoint } | { ok: false; problem: string };

export function parseBrokerUrl(url: string): BrokerUrlResult {
  const bad = (problem: string): BrokerUrlResult => ({ ok: false, problem });
  if (/[\s\\\u0000-\u001f\u007f]/.test(url)) return bad('no spaces, control characters or backslashes');
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) return bad('a scheme and a host (scheme://host)');
  if (!Object.hasOwn(DEFAULT_PORT, scheme)) return bad(`scheme mqtt, mqtts, ws or wss (found ${scheme})`);
  if (url.includes('?')) return bad('no query (?...): the MQTT client would take options from it');
  if (url.includes('#')) return bad('no fragment (#...)');
  if (url.includes('@')) return bad('no user info (user:password@): credentials go in username and password_file');
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return bad('a valid host and a port from 1 to 65535');
  }
  const protocol = scheme as BrokerProtocol;
  const ipv6 = u.hostname.startsWith('[');
  const host = ipv6 ? u.hostname.slice(1, -1) : u.hostname;
  if (host === '' || (!ipv6 && !HOST_NAME.test(host))) return bad('a host name or IP address (letters, digits, . - _, or [IPv6])');
  if (u.port === '0') return bad('a port from 1 to 65535');
  const ws = protocol === 'ws' || protocol === 'wss';
  if (!ws && u.pathname !== '' && u.pathname !== '/') return bad(`no path after the host (${protocol}:// has none)`);
  const lower = host.toLowerCase();
  return {
    ok: true,
    endpoint: {
      protocol, host, port: u.port === '' ? DEFAULT_PORT[protocol] : Number(u.port), path: ws ? u.pathname || '/' : undefined,
      encrypted: protocol === 'mqtts' || protocol === 'wss',
      loopback: lower === 'localhost' || (isIPv4(host) && host.startsWith('127.')) || lower === '::1',
    },
  };
}

/**
 * What mqtt.js's connect() gets instead of the URL string: only the parsed endpoint, so the client
 * connects to exactly what was validated. Throws for an invalid URL: configs are validated first.
 */
export function brokerConnectOptions(url: string): { protocol: BrokerProtocol; host: string; hostname: string; port: number; path?: string } {
  const r = parseBrokerUrl(url);
  if (!r.ok) throw new Error(`invalid broker URL (${r.problem})`);
  const { protocol, host, port, path } = r.endpoint;
  // mqtt.js builds a ws:// URL from hostname and port: an IPv6 address needs its brackets there.
  const hostname = path !== undefined && host.includes(':') ? `[${host}]` : host;
  return { protocol, host, hostname, port, ...(path !== undefined ? { path } : {}) };
}
