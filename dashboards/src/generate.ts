// Writes dashboards/generated/*.json from the TypeScript sources; `--check` fails when the committed files drift.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDashboards, dashboardText } from './index.ts';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'generated');
const check = process.argv.includes('--check');
const built = buildDashboards();
let drift = 0;
mkdirSync(outDir, { recursive: true });
for (const b of built) {
  const file = join(outDir, b.file);
  const text = dashboardText(b);
  if (check) {
    let current = '';
    try {
      current = readFileSync(file, 'utf8');
    } catch {}
    if (current !== text) {
      console.error(`dashboards/generated/${b.file} is out of date: run npm run dashboards`);
      drift++;
    }
  } else writeFileSync(file, text);
}
if (drift) process.exit(1);
console.log(check ? 'dashboards up to date' : `wrote ${built.length} dashboards to ${outDir}`);
