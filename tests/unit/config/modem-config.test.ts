import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { redactConfigText, redactedConfigObject, REDACTED } from '../../../src/cli/redact.js';

const MINIMAL = `hub: { id: h1 }
uplink: { url: "mqtt://127.0.0.1:1883" }
`;

describe('modem: config section', () => {
  it('accepts a modem with its defaults', () => {
    const r = parseConfig(`${MINIMAL}modem: { port: /dev/ttyUSB2, model: quectel-ec2x }\n`);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.config.modem).toMatchObject({ port: '/dev/ttyUSB2', model: 'quectel-ec2x', check_s: 60, command_timeout_s: 5, sms_timeout_s: 60, status_settle_s: 30 });
    expect(r.config.modem?.pin).toBeUndefined();
  });

  it.each([
    ['model: huawei-e3372', 'modem.model'],
    ['model: seeed-mr60bha1', 'modem.model'],
    ['model: quectel-ec2x\n  pin: "12"', 'modem.pin'],
    ['model: quectel-ec2x\n  smsc: "SMSC"', 'modem.smsc'],
    ['model: quectel-ec2x\n  reconnect_min_s: 90', 'modem.reconnect_min_s'],
    ['model: quectel-ec2x\n  sms_timeout: 5', 'modem.sms_timeout'],
  ])('rejects %j at %s', (yaml, path) => {
    const r = parseConfig(`${MINIMAL}modem:\n  port: /dev/ttyUSB2\n  ${yaml}\n`);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.map((p) => p.path)).toContain(path);
  });

  it('a modem model is no device model', () => {
    const r = parseConfig(`${MINIMAL}devices:\n  - { id: m, model: quectel-ec2x, room: hall, serial: { path: /dev/ttyUSB2 } }\n`);
    expect(r.ok).toBe(false);
  });

  it('the SIM PIN is redacted in config show and support bundles', () => {
    const text = `${MINIMAL}modem:\n  port: /dev/ttyUSB2\n  model: quectel-ec2x\n  pin: "8642"\n`;
    expect(redactConfigText(text)).not.toContain('8642');
    expect(redactConfigText(`${text}: broken: [`)).not.toContain('8642');
    const r = parseConfig(text);
    if (!r.ok) throw new Error('valid');
    expect((redactedConfigObject(r.config).modem as { pin: string }).pin).toBe(REDACTED);
  });
});
