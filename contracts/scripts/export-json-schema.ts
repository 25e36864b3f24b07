// Writes contracts/schema/*.json from the TypeBox sources; `--check` fails when the committed files drift.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AlertEvent, Command, Heartbeat, ResidentDaily } from '../src/events.ts';
import { BundleIndex, CommandResult } from '../src/model-update.ts';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'schema');
const check = process.argv.includes('--check');
const schemas = {
  'alert-event': AlertEvent,
  heartbeat: Heartbeat,
  'resident-daily': ResidentDaily,
  command: Command,
  'command-result': CommandResult,
  'bundle-index': BundleIndex,
};
let drift = 0;
mkdirSync(outDir, { recursive: true });
for (const [name, schema] of Object.entries(schemas)) {
  const file = join(outDir, `${name}.schema.json`);
  const text = `${JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...schema }, null, 2)}\n`;
  if (check) {
    let current = '';
    try {
      current = readFileSync(file, 'utf8');
    } catch {}
    if (current !== text) {
      console.error(`contracts/schema/${name}.schema.json is out of date: run npm run gen`);
      drift++;
    }
  } else writeFileSync(file, text);
}
if (drift) process.exit(1);
console.log(
  check ? 'contract schemas up to date' : `wrote ${Object.keys(schemas).length} schemas to ${outDir}`,
);
