/**
 * Runs a command and prints its wall time at the end, e.g. `tsx tools/test/timed.ts vitest run --project unit`.
 * vitest's own "Duration" leaves out its start-up (config, workers); this is the time a person waits.
 */
import { spawn } from 'node:child_process';

const [cmd, ...args] = process.argv.slice(2);
if (!cmd) {
  console.error('usage: tsx tools/test/timed.ts <command> [args…]');
  process.exit(2);
}
const started = process.hrtime.bigint();
// npm puts node_modules/.bin on PATH for scripts, so `vitest` resolves without npx.
const child = spawn(cmd, args, { stdio: 'inherit' });
const done = (code: number) => {
  const wallS = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`\n${[cmd, ...args].join(' ')}: wall ${wallS.toFixed(1)} s (exit ${code})`);
  process.exit(code);
};
child.once('error', (err) => {
  console.error(err.message);
  done(127);
});
child.once('exit', (code, signal) => done(code ?? (signal ? 128 : 1)));
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
