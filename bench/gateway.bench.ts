// `npm run bench:gateway`: the gateway agent's footprint on one pinned core — RSS, CPU at idle and while wrist
// recordings replay in real time, and cold start (spawn → "gateway ready") — for the compiled agent (dist/,
// what an installed package runs) and for the TypeScript sources through tsx (a development checkout), in one
// run. cold_start_ms is the median of COLD_STARTS starts; cold_start_cpu_ms the CPU time the agent spent
// getting there (steadier than wall time on a shared machine). Builds dist/ first (BUILD=0 skips that). RUNTIMES=dist,tsx (default) picks which; IDLE_S, REPLAY_S and
// COLD_STARTS size the run.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFallsIndex } from '../edge/src/datasets/falls.ts';
import { parseToolArgs } from '../tools/cli-args.ts';
import { freePort } from '../tools/harness/net.ts';
import {
  FALLS_DIR,
  hasTaskset,
  pinnedTo,
  ROOT,
  replay,
  startGatewayProcess,
} from '../tools/harness/processes.ts';
import { startPtyPair } from '../tools/harness/socat.ts';

// No options (sized by its constants or environment variables above): --help prints this file's opening comment.
parseToolArgs(import.meta.url, { options: {} });

type Runtime = 'dist' | 'tsx';
const IDLE_S = Number(process.env.IDLE_S ?? 20);
const REPLAY_S = Number(process.env.REPLAY_S ?? 30);
const COLD_STARTS = Number(process.env.COLD_STARTS ?? 3);
const RUNTIMES = (process.env.RUNTIMES ?? 'dist,tsx').split(',') as Runtime[];
const TICK = 100; // USER_HZ on Linux

const cpuTicks = (pid: number) => {
  // /proc/<pid>/stat: fields 14 and 15 are utime and stime, after the ")" that ends the command name
  const after = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(after[11]) + Number(after[12]);
};
const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function cpuShare(pid: number, during: () => Promise<unknown>) {
  const t0 = cpuTicks(pid);
  const w0 = performance.now();
  await during();
  return ((cpuTicks(pid) - t0) / TICK / ((performance.now() - w0) / 1000)) * 100;
}

const adl = readFallsIndex(FALLS_DIR)
  .filter((r) => r.label === 'adl' && r.position === 'wrist')
  .map((r) => r.file);

/** Starts one agent on a fresh pty pair; coldMs runs from just before the spawn to its "gateway ready" line. */
async function startAgent(runtime: Runtime, nodeRed: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'anju-gw-bench-'));
  const rx = join(dir, 'rx');
  const tx = join(dir, 'tx');
  const pty = await startPtyPair(rx, tx);
  const cloudUrl = `mqtt://127.0.0.1:${await freePort()}`; // no cloud: the link retries with backoff, as when offline
  const t0 = Date.now();
  const gw = await startGatewayProcess({
    dir,
    gatewayId: 'gw-bench',
    residentId: 'res-bench',
    secret: 'bench-secret-123',
    cloudUrl,
    wristbandPath: rx,
    extraConfig: { nodeRed: { enabled: nodeRed } },
    env: { ANJU_RUNTIME: runtime },
    ...pinnedTo(0),
  });
  const ready = gw.lines.find((l) => l.msg === 'gateway ready')!;
  if (ready.runtime !== runtime)
    throw new Error(`asked for ${runtime}, the agent ran ${String(ready.runtime)}`);
  const coldMs = Number(ready.time) - t0;
  // CPU the agent used to get there (read just after "wristband receiver open", when it has gone idle): on a
  // shared, loaded machine the wall-clock start depends on the neighbours, this much less.
  const coldCpuMs = (cpuTicks(gw.child.pid!) / TICK) * 1000;
  const stop = async () => {
    await gw.stop();
    await pty.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  return { gw, tx, coldMs, coldCpuMs, stop };
}

async function coldStart(runtime: Runtime) {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < COLD_STARTS; i++) {
    const agent = await startAgent(runtime, false);
    wall.push(agent.coldMs);
    cpu.push(agent.coldCpuMs);
    await agent.stop();
  }
  return { wallMs: median(wall), cpuMs: median(cpu) };
}

async function measure(runtime: Runtime, nodeRed: boolean) {
  const agent = await startAgent(runtime, nodeRed);
  const pid = agent.gw.child.pid!;
  try {
    await sleep(5000); // let start-up work (model load, JIT) settle
    const idle = await cpuShare(pid, () => sleep(IDLE_S * 1000));
    const idleRss = rssMb(pid);
    let played = 0;
    const busy = await cpuShare(pid, async () => {
      const until = Date.now() + REPLAY_S * 1000;
      for (let i = 0; Date.now() < until; i++) {
        await replay(adl[i % adl.length]!, agent.tx, { speed: 1 });
        played++;
      }
    });
    const busyRss = rssMb(pid);
    console.log(
      `${runtime} node-red=${nodeRed ? 'on' : 'off'}: ready in ${agent.coldMs} ms (${agent.coldCpuMs} ms CPU); idle ${idle.toFixed(2)} % of a ` +
        `core, RSS ${idleRss.toFixed(0)} MB; replaying ${played} wrist ADL recordings in real time: ` +
        `${busy.toFixed(2)} %, RSS ${busyRss.toFixed(0)} MB`,
    );
    return { idle, busy, rss: Math.max(idleRss, busyRss), coldMs: agent.coldMs, coldCpuMs: agent.coldCpuMs };
  } finally {
    await agent.stop();
  }
}

if (!hasTaskset) console.log('taskset not found: the agent is not pinned to one core');
if (RUNTIMES.includes('dist') && process.env.BUILD !== '0') {
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
}
const lines: string[] = [];
for (const runtime of RUNTIMES) {
  const cold = await coldStart(runtime);
  const plain = await measure(runtime, false);
  const withNodeRed = await measure(runtime, true);
  lines.push(
    `gateway-bench runtime=${runtime} rss_mb=${plain.rss.toFixed(0)} rss_mb_nodered=${withNodeRed.rss.toFixed(0)} ` +
      `idle_cpu_pct=${plain.idle.toFixed(2)} idle_cpu_pct_nodered=${withNodeRed.idle.toFixed(2)} ` +
      `replay_cpu_pct=${plain.busy.toFixed(2)} replay_cpu_pct_nodered=${withNodeRed.busy.toFixed(2)} ` +
      `cold_start_ms=${cold.wallMs} cold_start_ms_nodered=${withNodeRed.coldMs} ` +
      `cold_start_cpu_ms=${cold.cpuMs} cold_start_cpu_ms_nodered=${withNodeRed.coldCpuMs}`,
  );
}
// Together at the end, so the two runtimes read side by side.
for (const line of lines) console.log(line);
