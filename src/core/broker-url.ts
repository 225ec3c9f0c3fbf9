import { isIPv4 } from 'node:net';
import { ruleText, type RuleCode, type RuleVars } from './config-rules.js';

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
  // The problems are config rules (config-rules.ts): anjuctl shows them in the reader's language.
  const bad = (code: RuleCode, vars: RuleVars = {}): BrokerUrlResult => ({ ok: false, problem: ruleText(code, vars) });
  if (/[\s\\\u0000-\u001f\u007f]/.test(url)) return bad('ANJU_CFG_URL_SPACES');
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) return bad('ANJU_CFG_URL_SCHEME_HOST');
  if (!Object.hasOwn(DEFAULT_PORT, scheme)) return bad('ANJU_CFG_URL_SCHEME', { scheme });
  if (url.includes('?')) return bad('ANJU_CFG_URL_QUERY');
  if (url.includes('#')) return bad('ANJU_CFG_URL_FRAGMENT');
  if (url.includes('@')) return bad('ANJU_CFG_URL_USERINFO');
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return bad('ANJU_CFG_URL_HOST_PORT');
  }
  const protocol = scheme as BrokerProtocol;
  const ipv6 = u.hostname.startsWith('[');
  const host = ipv6 ? u.hostname.slice(1, -1) : u.hostname;
  if (host === '' || (!ipv6 && !HOST_NAME.test(host))) return bad('ANJU_CFG_URL_HOST');
  if (u.port === '0') return bad('ANJU_CFG_URL_PORT');
  const ws = protocol === 'ws' || protocol === 'wss';
  if (!ws && u.pathname !== '' && u.pathname !== '/') return bad('ANJU_CFG_URL_PATH', { protocol });
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
