// npx tsx tools/fall/loso-card.ts [--loso models/fall/loso.json] [--card-dir models/fall]
//
// Writes the leave-one-source-out section of the model card from the LOSO runs' results
// (train.ts --exclude-source S --loso-out FILE), for when those runs finish after the final training run.
import { resolve } from 'node:path';
import { parseToolArgs } from '../cli-args.ts';
import { readLoso, updateLosoSection } from './model-card.ts';

const args = parseToolArgs(import.meta.url, {
  options: {
    loso: { type: 'string', default: resolve(import.meta.dirname, '../../models/fall/loso.json') },
    'card-dir': { type: 'string', default: resolve(import.meta.dirname, '../../models/fall') },
  },
});
const loso = readLoso(resolve(args.loso));
if (loso.length === 0) {
  console.error(`no leave-one-source-out results in ${args.loso}`);
  process.exit(2);
}
updateLosoSection(resolve(args['card-dir']), loso);
console.log(`updated ${args['card-dir']}/README.md with ${loso.map((e) => e.source).join(', ')}`);
