/** get-config's redaction and set-config's way back (issue 16): a config read, edited and written back keeps the hub's secrets. */
import { describe, expect, it } from 'vitest';
import { redactSecrets, restoreSecrets } from '../../../src/config/redact-config.js';

const TEXT = `# Mrs Wang's flat
hub: { id: hub-1 }
uplink:
  url: "mqtts://anju:s3cr3t-url@broker.example.org:8883"
  username: anju
  password: "hunter22"   # hunter22 was set by the installer
modem: { model: quectel-ec2x, path: /dev/ttyUSB2, pin: "4711" }
`;

describe('redactSecrets / restoreSecrets', () => {
  it('redacts the password and URL credentials wherever they appear, and names the keys', () => {
    const r = redactSecrets(TEXT);
    expect(r.paths).toEqual(['uplink.password', 'modem.pin', 'uplink.url']);
    expect(r.text).not.toContain('4711');
    expect(r.text).not.toContain('hunter22');
    expect(r.text).not.toContain('s3cr3t-url');
    expect(r.text).toContain("# Mrs Wang's flat");
  });

  it('keeps the text as it is when there is nothing to redact', () => {
    const plain = 'hub: { id: hub-1 }\nuplink: { url: "mqtt://127.0.0.1:1883" }\n';
    expect(redactSecrets(plain)).toEqual({ text: plain, paths: [] });
  });

  it('an edit of the redacted text gets the hub\'s secrets back; a new secret is taken as given', () => {
    const edited = `${redactSecrets(TEXT).text}store: { quota_mb: 64 }\n`;
    const back = restoreSecrets(edited, TEXT);
    expect(back).toContain('hunter22');
    expect(back).toContain('mqtts://anju:s3cr3t-url@broker.example.org:8883');
    expect(back).toContain('quota_mb: 64');
    expect(back).toContain('4711');
    const changed = edited.replace('"[redacted]"', '"new-pass"');
    expect(restoreSecrets(changed, TEXT)).toContain('new-pass');
    expect(restoreSecrets(changed, TEXT)).not.toContain('hunter22');
  });
});
