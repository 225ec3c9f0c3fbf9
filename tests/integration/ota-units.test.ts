/**
 * systemd/anju-update.path and anju-update.service: `systemd-analyze verify` says nothing about them,
 * with ExecStart pointed at this build (the shipped one names the installed release, which exists only
 * on a hub), and the service runs exactly the runner's documented command line.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/daemon-process.js';
import { requireBinary } from '../helpers/peers.js';

const dir = mkdtempSync(join(tmpdir(), 'anju-units-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SHIPPED = '/usr/lib/anju/current/bin/node /usr/lib/anju/current/dist/src/update/anju-update.js';
const RUNNER = join(ROOT, 'dist/src/update/anju-update.js');

describe('systemd/anju-update.{path,service}', () => {
  it('pass systemd-analyze verify, the service differing from the shipped one only in where the release is', () => {
    const bin = requireBinary('systemd-analyze', 'systemd');
    const service = readFileSync(join(ROOT, 'systemd/anju-update.service'), 'utf8');
    expect(service).toContain(`ExecStart=${SHIPPED} apply --request /var/lib/anju/updates/request.json --keys /etc/anju/release-keys.pem --staging /var/lib/anju-update\n`);
    expect(statSync(RUNNER).mode & 0o111, `${RUNNER} must be executable (npm run build marks it so)`).not.toBe(0);
    writeFileSync(join(dir, 'anju-update.service'), service.replace(SHIPPED, `${process.execPath} ${RUNNER}`));
    writeFileSync(join(dir, 'anju-update.path'), readFileSync(join(ROOT, 'systemd/anju-update.path'), 'utf8'));
    for (const unit of ['anju-update.path', 'anju-update.service']) {
      const r = spawnSync(bin, ['verify', join(dir, unit)], { encoding: 'utf8', cwd: dir, env: { ...process.env, SYSTEMD_COLORS: '0', SYSTEMD_PAGER: '' } });
      expect(r.status, r.stderr).toBe(0);
      // Only lines about our units count (verify also loads anjud.service, absent here, for After=).
      const ours = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.includes('anju-update'));
      expect(ours, `${r.stdout}${r.stderr}`).toEqual([]);
    }
  });

  it('the runner answers its documented usage', () => {
    const r = spawnSync(process.execPath, [RUNNER, 'apply', '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    for (const opt of ['--request', '--keys', '--staging', '--installer', '--socket']) expect(r.stdout).toContain(opt);
    const none = spawnSync(process.execPath, [RUNNER, 'apply', '--request', join(dir, 'none.json'), '--keys', join(dir, 'k.pem'), '--staging', join(dir, 's')], { encoding: 'utf8' });
    expect(none.status).toBe(0);
    expect(none.stdout).toContain('nothing to do');
  });
});
