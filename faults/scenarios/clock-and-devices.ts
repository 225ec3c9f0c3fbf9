import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serialPortsOpen } from '../../tests/helpers/control.js';
import { fakeWallClock } from '../../tests/helpers/faketime.js';
import { startFakeBluez, type FakeBluez, type FakeDevice } from '../../tests/helpers/fake-bluez.js';
import { RtuSlaveSim } from '../../tests/helpers/modbus-rtu-slave.js';
import { createPtyPair, type PtyPair } from '../../tests/helpers/pty.js';
import { waitFor } from '../../tests/helpers/wait.js';
import { openHome } from '../home.js';
import { anotherAlarm, alarmsCommitted, between, committed, committedMore, sleep, withHome, type Scenario } from '../scenario.js';

/** Steps of the daemon's wall clock, offsets to real time in seconds: NTP after a boot without RTC, and back. */
const STEPS_S = [3600, -1800, -7200, 86_400, 0];

/** The daemon's own wall clock stepped back and forth (libfaketime, tests/helpers/faketime.ts). */
export const clockSteps: Scenario = {
  name: 'clock-steps',
  proves: 'wall-clock steps of hours and a day, both ways: alarms keep being raised and delivered, seq keeps growing',
  run: (ctx) => {
    const clockDir = mkdtempSync(join(tmpdir(), 'anju-faults-clock-'));
    const wall = fakeWallClock(clockDir);
    return withHome(ctx, () => openHome('clock', { delivery: ctx.delivery, env: wall.env }), async (home, inj) => {
      for (let i = 0; i < ctx.rounds * 3; i++) {
        await sleep(between(ctx.rand, 1000, 4000));
        const before = alarmsCommitted(home);
        wall.set(STEPS_S[i % STEPS_S.length]!);
        inj.injected++;
        await anotherAlarm(home, before);
        inj.survived++;
      }
      wall.set(0);
    }, () => rmSync(clockDir, { recursive: true, force: true }));
  },
};

/** The radar's USB serial adapter pulled and put back, again and again (socat killed and restarted). */
export const serialUnplug: Scenario = {
  name: 'serial-unplug',
  proves: 'an unplug storm on the radar\'s serial line: the port reopens each time, alarms resume, nothing committed is lost',
  run: (ctx) => withHome(ctx, () => openHome('serial', { delivery: ctx.delivery }), async (home, inj) => {
    for (let i = 0; i < ctx.rounds * 3; i++) {
      await sleep(between(ctx.rand, 300, 2000));
      await home.hub.pty.unplug();
      inj.injected++;
      await sleep(between(ctx.rand, 100, 1500));
      await home.hub.pty.plug();
      await waitFor('the radar\'s port open again', () => serialPortsOpen(home.hub.socket), 60_000);
      inj.survived++;
    }
    await anotherAlarm(home, alarmsCommitted(home));
  }),
};

/**
 * A Modbus RTU gas detector (tests/helpers/modbus-rtu-slave.ts on its own pty) next to the radar:
 * gas raised and cleared, and the unit dead or answering exceptions in between.
 */
export const modbus: Scenario = {
  name: 'modbus',
  proves: 'a Modbus unit that goes silent or answers exceptions is one device.link_fault raised and cleared; gas alarms still come',
  run: (ctx) => {
    let rs: PtyPair | null = null;
    let sim: RtuSlaveSim | null = null;
    return withHome(ctx, async () => {
      const home = await openHome('modbus', { delivery: ctx.delivery, start: false });
      rs = await createPtyPair(home.hub.dir, 'rs485');
      sim = new RtuSlaveSim(rs.simPath);
      sim.setUnit(1, { holding: { 0: 0, 1: 0x0200 } }); // clean air
      await sim.start();
      home.hub.writeConfig(home.config({ extra: `modbus:
  - id: rs485-kitchen
    rtu: { path: "${rs.devicePath}" }
    devices:
      - { id: gas-kitchen, model: gas-detector-4000x, room: kitchen, unitId: 1, pollIntervalMs: 300, timeoutMs: 2000, retries: 0, maxBackoffMs: 400 }
` }));
      await home.hub.start();
      return home;
    }, async (home, inj) => {
      const s = sim!;
      const gas = (state: string) => (e: { type: string; state: string }) => e.type === 'alarm.gas' && e.state === state;
      const fault = (state: string) => (e: { type: string; state: string }) => e.type === 'device.link_fault' && e.state === state;
      for (let i = 0; i < ctx.rounds * 2; i++) {
        let n = committed(home, gas('raised'));
        s.setRegisters(1, 3, 0, [125, 0x0200]); // 12.5 %LEL: above the 10 %LEL alarm level
        await committedMore(home, 'alarm.gas raised', gas('raised'), n);
        n = committed(home, gas('cleared'));
        s.setRegisters(1, 3, 0, [0, 0x0200]);
        await committedMore(home, 'alarm.gas cleared', gas('cleared'), n);

        n = committed(home, fault('cleared'));
        s.setBehaviour(1, i % 2 === 0 ? { kind: 'dead' } : { kind: 'exception', code: 4 });
        inj.injected++;
        await sleep(between(ctx.rand, 2000, 5000));
        s.setBehaviour(1, { kind: 'ok' });
        await committedMore(home, 'device.link_fault cleared', fault('cleared'), n);
        inj.survived++;
      }
    }, async () => { await sim?.stop(); await rs?.unplug(); });
  },
};

const HR_ADDRESS = 'AA:BB:CC:DD:EE:51';

/**
 * A BLE heart-rate band on a fake BlueZ (private D-Bus, tests/helpers/fake-bluez.ts), worn with
 * skin contact at 140 bpm: the link dropped, the band out of range, the adapter powered off, and
 * bluetoothd crashing and restarting; after each, the daemon must subscribe again and raise again.
 */
export const ble: Scenario = {
  name: 'ble',
  proves: 'BLE link drops, out of range, adapter off and a bluetoothd crash: the band is resubscribed and its alarms still come',
  run: (ctx) => {
    let bluez: FakeBluez | null = null;
    let band: FakeDevice | null = null;
    let beat: NodeJS.Timeout | null = null;
    return withHome(ctx, async () => {
      bluez = await startFakeBluez();
      band = bluez.addDevice({ address: HR_ADDRESS, name: 'band', services: [{ uuid: '180d', characteristics: [{ uuid: '2a37', flags: ['notify'] }] }] });
      const home = await openHome('ble', { delivery: ctx.delivery, start: false });
      home.hub.writeConfig(home.config({ extra: `ble: { bus_address: "${bluez.busAddress}", reconnect_min_s: 0.2, reconnect_max_s: 1, liveness_s: 1 }
` }).replace('devices:\n', `devices:\n  - { id: band, model: ble-heart-rate, room: bedroom, ble: { address: "${HR_ADDRESS}" } }\n`).replace('detectors:\n', 'detectors:\n  heart_rate: { sustain_s: 2, max_gap_s: 5 }\n'));
      await home.hub.start();
      // 140 bpm with skin contact (flags 0x06): tachycardia, every half second, whether subscribed or not.
      beat = setInterval(() => { try { band!.notify('2a37', Uint8Array.of(0x06, 140)); } catch { /* not subscribed */ } }, 500);
      return home;
    }, async (home, inj) => {
      const b = bluez!;
      const d = band!;
      const hr = (state: string) => (e: { type: string; state: string }) => e.type === 'alarm.heart_rate' && e.state === state;
      await committedMore(home, 'alarm.heart_rate raised', hr('raised'), 0);
      const faults: Array<[string, () => Promise<void> | void, () => Promise<void> | void]> = [
        ['link drop', () => d.drop(), () => undefined],
        ['out of range', () => { d.setInRange(false); d.drop(); }, () => d.setInRange(true)],
        ['adapter off', () => b.setPowered(false), () => b.setPowered(true)],
        ['bluetoothd crash', () => b.crash(), () => b.restart()],
      ];
      for (let i = 0; i < ctx.rounds * faults.length; i++) {
        const [what, inject, heal] = faults[i % faults.length]!;
        await inject();
        inj.injected++;
        await sleep(between(ctx.rand, 1000, 4000));
        await heal();
        await waitFor(`the band resubscribed after ${what}`, () => d.isNotifying('2a37'), 60_000);
        inj.survived++;
      }
    }, async () => { if (beat) clearInterval(beat); await bluez?.stop(); });
  },
};
