import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFallsIndex } from '../edge/src/datasets/falls.ts';
import { freePort } from '../tools/harness/net.ts';
import { FALLS_DIR, hasTaskset, pinnedTo, replay, startGatewayProcess } from '../tools/harness/processes.ts';
import { startPtyPair } from '../tools/harness/socat.ts';

const IDLE_S = Number(process.env.IDLE_S ?? 20);
const REPLAY_S = Number(process.env.REPLAY_S ?? 30);
const TICK = 100; // USER_HZ on Linux

const cpuTicks = (pid: number) => {
  // /proc/<pid>/stat: fields 14 and 15 are utime and stime, after the ")" that ends the command name
  const after = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(after[11]) + Number(after[12]);
};
const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function cpuShare(pid: number, during: () => Promise<unknown>) {
  const t0 = cpuTicks(pid);
  const w0 = performance.now();
  await during();
  return ((cpuTicks(pid) - t0) / TICK / ((performance.now() - w0) / 1000)) * 100;
}

const adl = readFallsIndex(FALLS_DIR)
  .filter((r) => r.label === 'adl' && r.position === 'wrist')
  .map((r) => r.file);

async function measure(nodeRed: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'anju-gw-bench-'));
  const rx = join(dir, 'rx');
  const tx = join(dir, 'tx');
  const pty = await startPtyPair(rx, tx);
  const gw = await startGatewayProcess({
    dir,
    gatewayId: 'gw-bench',
    residentId: 'res-bench',
    secret: 'bench-secret-123',
    cloudUrl: `mqtt://127.0.0.1:${await freePort()}`, // no cloud: the link retries with backoff, as when offline
    wristbandPath: rx,
    extraConfig: { nodeRed: { enabled: nodeRed } },
    ...pinnedTo(0),
  });
  const pid = gw.child.pid!;
  try {
    await sleep(5000); // let start-up work (model load, JIT) settle
    const idle = await cpuShare(pid, () => sleep(IDLE_S * 1000));
    const idleRss = rssMb(pid);
    let played = 0;
    const busy = await cpuShare(pid, async () => {
      const until = Date.now() + REPLAY_S * 1000;
      for (let i = 0; Date.now() < until; i++) {
        await replay(adl[i % adl.length]!, tx, { speed: 1 });
        played++;
      }
    });
    const busyRss = rssMb(pid);
    console.log(
      `node-red=${nodeRed ? 'on' : 'off'}: idle ${idle.toFixed(2)} % of a core, RSS ${idleRss.toFixed(0)} MB; ` +
        `replaying ${played} wrist ADL recordings in real time: ${busy.toFixed(2)} %, RSS ${busyRss.toFixed(0)} MB`,
    );
    return { idle, busy, rss: Math.max(idleRss, busyRss) };
  } finally {
    await gw.stop();
    await pty.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (!hasTaskset) console.log('taskset not found: the agent is not pinned to one core');
const plain = await measure(false);
const withNodeRed = await measure(true);
console.log(
  `gateway-bench rss_mb=${plain.rss.toFixed(0)} rss_mb_nodered=${withNodeRed.rss.toFixed(0)} ` +
    `idle_cpu_pct=${plain.idle.toFixed(2)} idle_cpu_pct_nodered=${withNodeRed.idle.toFixed(2)} ` +
    `replay_cpu_pct=${plain.busy.toFixed(2)} replay_cpu_pct_nodered=${withNodeRed.busy.toFixed(2)}`,
);
