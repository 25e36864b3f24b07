// `npm run build`: compiles contracts/, edge/ and cloud/ to JavaScript in dist/ (tsconfig.build.json), then
// writes dist/BUILD.json. The bins start dist/ only when BUILD.json is there and no source is newer than
// `builtAtMs` (bin/runtime.js): it is removed first and written last, so a half-built dist/ is never run.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../contracts/src/package-root.ts';

const dist = join(PACKAGE_ROOT, 'dist');
const builtAtMs = Date.now(); // before compiling: a source saved during the build makes the build stale
rmSync(dist, { recursive: true, force: true });
const tsc = join(PACKAGE_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
execFileSync(process.execPath, [tsc, '-p', join(PACKAGE_ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
const { version } = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
  version: string;
};
writeFileSync(
  join(dist, 'BUILD.json'),
  `${JSON.stringify({ version, builtAt: new Date(builtAtMs).toISOString(), builtAtMs, node: process.version }, null, 2)}\n`,
);
console.log(`build: dist/ (anju ${version}) in ${((Date.now() - builtAtMs) / 1000).toFixed(1)} s`);
