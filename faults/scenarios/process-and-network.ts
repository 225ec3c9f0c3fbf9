import { daemonStatus } from '../../tests/helpers/control.js';
import { waitFor } from '../../tests/helpers/wait.js';
import { openHome } from '../home.js';
import { anotherAlarm, alarmsCommitted, between, connects, reconnected, sleep, withHome, type Scenario } from '../scenario.js';
import { startTcpProxy, type TcpProxy } from '../tcp-proxy.js';

/** kill -9 of anjud at random moments while alarms are raised and drained; restarted each time. */
export const kill9: Scenario = {
  name: 'kill9',
  proves: 'kill -9 at any moment (mid-commit, mid-publish) loses no committed event; the restart resends',
  run: (ctx) => withHome(ctx, () => openHome('kill9', { delivery: ctx.delivery }), async (home, inj) => {
    for (let i = 0; i < ctx.rounds * 2; i++) {
      const alarms = alarmsCommitted(home);
      for (let k = 0; k < 2; k++) {
        await sleep(between(ctx.rand, 500, 4000));
        await home.hub.kill('SIGKILL');
        inj.injected++;
        await home.hub.start();
        inj.survived++;
      }
      // Alarms keep coming through the kills (a sustained run outlives the processes: crash-loop.test.ts).
      await anotherAlarm(home, alarms);
    }
  }),
};

/** The broker (no persistence: its sessions and queues go with it) stopped and started again. */
export const brokerRestart: Scenario = {
  name: 'broker-restart',
  proves: 'a broker that restarts empty (no persistence) costs nothing: the outbox resends what the cloud did not ack',
  run: (ctx) => withHome(ctx, () => openHome('broker', { delivery: ctx.delivery }), async (home, inj) => {
    for (let i = 0; i < ctx.rounds * 3; i++) {
      await sleep(between(ctx.rand, 1000, 4000));
      const before = await connects(home);
      await home.hub.broker.stop();
      inj.injected++;
      await sleep(between(ctx.rand, 500, 5000)); // alarms keep coming while it is away
      await home.hub.broker.start();
      await reconnected(home, before);
      inj.survived++;
    }
  }),
};

/**
 * A TCP proxy between daemon and broker (faults/tcp-proxy.ts): per round, a delay of every chunk,
 * a cut of every connection while bytes flow (mid-publish), and a blackhole longer than keepalive.
 * The cloud consumer talks to the broker directly: only the hub's link is bad.
 */
export const proxy: Scenario = {
  name: 'proxy',
  proves: 'a link that delays, is cut mid-publish or turns into a blackhole loses nothing; keepalive notices the blackhole',
  run: (ctx) => {
    let p: TcpProxy | null = null;
    return withHome(ctx, async () => {
      const home = await openHome('proxy', { delivery: ctx.delivery, start: false });
      p = await startTcpProxy(home.hub.broker.port);
      home.hub.writeConfig(home.config({ brokerUrl: p.url }));
      await home.hub.start();
      return home;
    }, async (home, inj) => {
      const px = p!;
      for (let i = 0; i < ctx.rounds; i++) {
        // Delay: every chunk 300-1500 ms late for a few seconds; still connected and raising.
        const alarms = alarmsCommitted(home);
        px.mode('delay', between(ctx.rand, 300, 1500));
        inj.injected++;
        await sleep(4000);
        px.mode('pass');
        await anotherAlarm(home, alarms);
        inj.survived++;

        // Cut mid-publish: once the daemon sent more bytes (a publish or a resend), reset it all.
        const sent = px.bytesUp;
        await waitForBytes(px, sent);
        let before = await connects(home);
        px.cut();
        inj.injected++;
        await reconnected(home, before);
        inj.survived++;

        // Blackhole: nothing passes, nothing is closed; the daemon's keepalive (2 s) must notice.
        before = await connects(home);
        px.mode('blackhole');
        inj.injected++;
        await waitFor('the daemon to notice the blackhole (keepalive)', async () => (await daemonStatus(home.hub.socket).catch(() => null))?.uplink?.connected === false, 30_000);
        px.mode('pass');
        px.cut(); // the swallowed connections, as a NAT forgets them
        await reconnected(home, before);
        inj.survived++;
      }
    }, () => p?.close());
  },
};

async function waitForBytes(p: TcpProxy, after: number): Promise<void> {
  for (let i = 0; i < 600 && p.bytesUp <= after; i++) await sleep(50);
}
