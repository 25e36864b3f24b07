// `npm run check:imports [-- --root cloud/src] [--list]`: counts the imports that run back up between the
// parts of a tree (its top-level folders; a file at the top level, such as app.ts or errors.ts, is a part of
// its own). Parts that import each other round a cycle cannot be drawn as layers; for each cycle this finds
// the layering that leaves the fewest imports pointing back up, and counts those. 0 means the parts form
// layers. --list prints each back import with its file and line.
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { PACKAGE_ROOT } from '../../contracts/src/package-root.ts';
import { readCrossImports } from './import-graph.ts';
import { backImports } from './layering.ts';

const { values: args } = parseArgs({
  options: { root: { type: 'string', default: 'cloud/src' }, list: { type: 'boolean', default: false } },
});
const root = join(PACKAGE_ROOT, args.root);
const imports = readCrossImports(root);
const found = backImports(imports);
const back = found.flatMap((c) => c.back);
const parts = new Set(imports.flatMap((i) => [i.from, i.to]));
for (const c of found) {
  console.log(
    `cycle of ${c.parts.length} parts; fewest back imports with the layers (top first) ${c.order.join(' > ')}` +
      (c.exact ? '' : ' (greedy: more than 20 parts, the count may be high)'),
  );
}
if (args.list) {
  for (const i of back.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line)) {
    console.log(
      `  ${relative(PACKAGE_ROOT, join(root, i.file))}:${i.line}  ${i.from} → ${i.to}  (${i.specifier})`,
    );
  }
}
console.log(
  `back-imports root=${args.root} count=${back.length} parts=${parts.size} ` +
    `parts_in_cycles=${found.reduce((s, c) => s + c.parts.length, 0)} cross_imports=${imports.length}`,
);
