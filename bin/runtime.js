// Which code a bin starts: the compiled JavaScript in dist/ or the TypeScript sources through tsx.
//
//   ANJU_RUNTIME=dist | tsx   forces one (dist: fails when there is no build; tsx: needs the dev dependencies).
//   otherwise                 dist/ when `npm run build` finished there (dist/BUILD.json) and no source is newer
//                             than that build; tsx in a development checkout without a build, or with an older
//                             one (said on stderr when it is a terminal: a stale build would run code that is not
//                             what you see).
//   An installed package (`npm install -g ./anju-….tgz`) has dist/ and no sources: always dist.
//
// The choice is left in process.env.ANJU_RUNTIME; `anju-gw run` and `anju-cloud serve` log it in their
// "ready" line. The build writes BUILD.json last and removes it first, so a bin started during a build
// never loads a half-written dist/.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SOURCE_DIRS = ['contracts/src', 'edge/src', 'cloud/src'];

/** Newest modification time (ms) of a .ts file under dir, 0 when dir does not exist. */
function newestSource(dir) {
  let newest = 0;
  if (!existsSync(dir)) return 0;
  for (const file of readdirSync(dir, { recursive: true })) {
    if (file.endsWith('.ts') && !file.endsWith('.test.ts'))
      newest = Math.max(newest, statSync(join(dir, file)).mtimeMs);
  }
  return newest;
}

function readBuild() {
  try {
    return JSON.parse(readFileSync(join(ROOT, 'dist', 'BUILD.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

/** 'dist' or 'tsx', and why. */
export function chooseRuntime(name, source, env = process.env) {
  const forced = env.ANJU_RUNTIME;
  if (forced === 'dist' || forced === 'tsx') return { runtime: forced, why: 'ANJU_RUNTIME' };
  if (forced) throw new Error(`${name}: ANJU_RUNTIME must be "dist" or "tsx" (got "${forced}")`);
  const build = readBuild();
  const hasSources = existsSync(join(ROOT, source));
  if (!build) return { runtime: hasSources ? 'tsx' : 'dist', why: 'no build in dist/' };
  if (!hasSources) return { runtime: 'dist', why: 'installed package' };
  const newest = Math.max(...SOURCE_DIRS.map((d) => newestSource(join(ROOT, d))));
  if (newest > build.builtAtMs) {
    return { runtime: 'tsx', why: 'dist/ is older than the sources', stale: true };
  }
  return { runtime: 'dist', why: 'build is up to date' };
}

/**
 * Imports the entry point `source` (a path under the package root, e.g. 'edge/src/cli/main.ts') from the
 * runtime chosen above and returns its module.
 */
export async function loadEntry(name, source) {
  const choice = chooseRuntime(name, source);
  process.env.ANJU_RUNTIME = choice.runtime;
  // Said on a terminal only: tests and scripts read the bins' stderr, and a service logs `runtime` when ready.
  if (choice.stale && process.stderr.isTTY) {
    console.error(
      `${name}: ${choice.why}: running the TypeScript sources through tsx (npm run build refreshes dist/)`,
    );
  }
  if (choice.runtime === 'dist') {
    const compiled = join(ROOT, 'dist', source.replace(/\.ts$/, '.js'));
    if (!existsSync(compiled)) {
      throw new Error(
        `${name}: ${compiled} is missing: run \`npm run build\` (or ANJU_RUNTIME=tsx in a checkout)`,
      );
    }
    return import(pathToFileURL(compiled).href);
  }
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch (err) {
    throw new Error(`${name}: no build in dist/ and tsx is not installed: run \`npm run build\``, {
      cause: err,
    });
  }
  register();
  return import(pathToFileURL(join(ROOT, source)).href);
}
