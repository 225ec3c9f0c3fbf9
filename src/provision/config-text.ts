/**
 * The config `anjuctl init` writes: the fewest keys that make a valid config (every other key has
 * its default, documented in config/anju.example.yaml), with comments that tell the technician what
 * comes next. Not the example config: that one names TLS files a new hub does not have, and fails
 * its own check (issue 13).
 */
export interface InitialConfig {
  hubId: string;
  name?: string | undefined;
  timezone: string;
  brokerUrl: string;
  /** Files under /etc/anju; cert and key only once the district's CA has signed the CSR. */
  tls: { ca?: string | undefined; cert?: string | undefined; key: string; csr: string; certPresent: boolean };
  stateDir?: string | undefined;
  controlSocket?: string | undefined;
  writtenBy: string;
}

/** JSON strings are valid YAML double-quoted scalars: any text is written safely. */
const q = (s: string): string => JSON.stringify(s);

export function initialConfigText(c: InitialConfig): string {
  const lines = [
    `# Anju hub config, written by ${c.writtenBy}.`,
    '# Every key with its default and unit: config/anju.example.yaml and docs/configuration.md.',
    '# Check it: anjud --check-config /etc/anju/anju.yaml. Devices: anjuctl devices add ... (docs/operations.md).',
    'hub:',
    `  id: ${q(c.hubId)}`,
    ...(c.name ? [`  name: ${q(c.name)}`] : []),
    `  timezone: ${q(c.timezone)}`,
    ...(c.stateDir ? [`state_dir: ${q(c.stateDir)}`] : []),
    ...(c.controlSocket ? ['control:', `  socket: ${q(c.controlSocket)}`] : []),
    'uplink:',
    `  url: ${q(c.brokerUrl)}`,
  ];
  const tls: string[] = [];
  if (c.tls.ca) tls.push(`    ca: ${q(c.tls.ca)}`);
  if (c.tls.certPresent && c.tls.cert) tls.push(`    cert: ${q(c.tls.cert)}`, `    key: ${q(c.tls.key)}`);
  if (tls.length > 0) lines.push('  tls:', ...tls);
  if (!c.tls.certPresent) {
    // Without a client certificate the broker refuses the hub, but the hub still watches the home:
    // alarms are committed and wait in the outbox until the certificate is there.
    lines.push(
      `  # The hub's TLS key is ${c.tls.key} (made on this hub; it never leaves it). Once the district's`,
      `  # CA has signed ${c.tls.csr}, run: anjuctl init --cert FILE, which adds`,
      `  # tls: { cert: ${q(c.tls.cert ?? '/etc/anju/hub.crt')}, key: ${q(c.tls.key)} } here.`,
    );
  }
  lines.push('devices: []', '');
  return lines.join('\n');
}
