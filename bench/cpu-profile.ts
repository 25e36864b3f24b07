/**
 * `npx tsx bench/cpu-profile.ts FILE.cpuprofile [--from-s A] [--to-s B] [--top N] [--bucket-s S]` — where a
 * process spent its CPU, from a V8 profile (`node --cpu-prof`, e.g. `bench:supervision --cloud-cpu-prof DIR`).
 *
 * 1. A timeline: the share of one core busy in each S-second bucket since the profile began (default 10), to
 *    find a phase (connect ramp, links alone, heartbeats, shutdown) and pass it as the window.
 * 2. For the window [A, B) seconds since the profile began (default: all of it): busy share, then the busy
 *    time by owner — the first frame of our code (cloud/src, contracts/src, edge/src) up the stack, else the
 *    package or runtime part the sample is in (aedes keep-alive timers have no frame of ours) — and the top N
 *    functions by self time (default 15).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { numberArg } from './number-arg.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const USAGE = 'npx tsx bench/cpu-profile.ts FILE.cpuprofile [--from-s A] [--to-s B] [--top N] [--bucket-s S]';
const IDLE = new Set(['(idle)', '(root)']);
const OUR_CODE = /\/(cloud|contracts|edge)\/src\/(.+?)(?:\.ts|\.js)?$/;

/** The part of the runtime or the package a frame belongs to, when it is not our code. */
function partOf(frame: ProfileNode['callFrame']): string {
  if (frame.functionName.startsWith('(')) return frame.functionName; // (program), (garbage collector)
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(frame.url);
  if (pkg) return pkg[1] as string;
  if (frame.url.startsWith('node:')) return `node:${frame.url.slice(5).split('/')[0]}`;
  return frame.url === '' ? `native ${frame.functionName || '(anonymous)'}` : frame.url;
}

function summarize(profile: CpuProfile, fromS: number, toS: number, top: number, bucketS: number): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  /** The owner of a sample: the nearest frame of our code up the stack, else the leaf's part. */
  const ownerCache = new Map<number, string>();
  const ownerOf = (leaf: number): string => {
    const cached = ownerCache.get(leaf);
    if (cached !== undefined) return cached;
    let owner = partOf((byId.get(leaf) as ProfileNode).callFrame);
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) {
      const m = OUR_CODE.exec((byId.get(id) as ProfileNode).callFrame.url);
      if (m) {
        owner = `${m[1]}/${m[2]}`;
        break;
      }
    }
    ownerCache.set(leaf, owner);
    return owner;
  };

  const buckets: number[] = [];
  const owners = new Map<string, number>();
  const selfTime = new Map<string, number>();
  let busyUs = 0;
  let t = 0; // µs since the profile began, at the current sample
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    const durUs = profile.timeDeltas[i + 1] ?? 0; // a sample stands for the time until the next one
    const node = byId.get(profile.samples[i] as number) as ProfileNode;
    if (IDLE.has(node.callFrame.functionName)) continue;
    const b = Math.floor(t / 1e6 / bucketS);
    buckets[b] = (buckets[b] ?? 0) + durUs;
    if (t < fromS * 1e6 || t >= toS * 1e6) continue;
    busyUs += durUs;
    const owner = ownerOf(node.id);
    owners.set(owner, (owners.get(owner) ?? 0) + durUs);
    const f = node.callFrame;
    const fn = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(node_modules|src)\//, '')}:${f.lineNumber + 1}`;
    selfTime.set(fn, (selfTime.get(fn) ?? 0) + durUs);
  }

  const totalS = (profile.endTime - profile.startTime) / 1e6;
  const windowS = Math.min(toS, totalS) - fromS;
  const pct = (us: number, overS: number) => ((100 * us) / 1e6 / overS).toFixed(2);
  const out = [`profile: ${totalS.toFixed(1)} s; busy share of one core per ${bucketS} s bucket:`];
  for (let b = 0; b * bucketS < totalS; b++)
    out.push(`  ${String(b * bucketS).padStart(5)} s  ${pct(buckets[b] ?? 0, bucketS).padStart(6)} %`);
  out.push(
    `window ${fromS}–${Math.min(toS, totalS).toFixed(1)} s: busy ${pct(busyUs, windowS)} % of one core`,
  );
  out.push('by owner (% of one core over the window):');
  for (const [k, us] of [...owners].sort((x, y) => y[1] - x[1]).slice(0, top))
    out.push(`  ${pct(us, windowS).padStart(6)} %  ${k}`);
  out.push('by function, self time (% of one core over the window):');
  for (const [k, us] of [...selfTime].sort((x, y) => y[1] - x[1]).slice(0, top))
    out.push(`  ${pct(us, windowS).padStart(6)} %  ${k}`);
  return out;
}

/** The command line, or its error and the usage with exit 2. */
function commandLine() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        'from-s': { type: 'string', default: '0' },
        'to-s': { type: 'string', default: '1e7' },
        top: { type: 'string', default: '15' },
        'bucket-s': { type: 'string', default: '10' },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (err) {
    console.error(`cpu-profile: ${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}
const { values: a, positionals } = commandLine();
if (a.help) {
  console.log(USAGE);
  process.exit(0);
}
const file = positionals[0];
if (positionals.length !== 1 || file === undefined) {
  console.error(`cpu-profile: one .cpuprofile file, got ${positionals.length}\n${USAGE}`);
  process.exit(2);
}
const num = numberArg('cpu-profile', USAGE);
let profile: CpuProfile;
try {
  profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  if (!Array.isArray(profile.nodes) || !Array.isArray(profile.samples) || !Array.isArray(profile.timeDeltas))
    throw new Error('no nodes, samples and timeDeltas: not a V8 CPU profile');
} catch (err) {
  console.error(`cpu-profile: cannot read ${file}: ${(err as Error).message}`);
  process.exit(2);
}
for (const line of summarize(
  profile,
  num('from-s', a['from-s'], 0, 1e7),
  num('to-s', a['to-s'], 0, 1e7),
  num('top', a.top, 1, 1000),
  num('bucket-s', a['bucket-s'], 1, 3600),
))
  console.log(line);
