import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import ts from 'typescript';

/** One import (or `export … from`, or `import()`) from one part of a tree to another. */
export interface CrossImport {
  from: string; // the importing part: a top-level folder, or a file at the top level
  to: string;
  file: string; // the importing file, relative to the root
  line: number;
  specifier: string;
}

/** The part of `root` a file belongs to: its top-level folder, or itself when it sits at the top level. */
export const partOf = (relPath: string): string => relPath.split(sep)[0]!;

/**
 * Every relative import between different parts of the tree under `root` (tests left out: a test may reach
 * anywhere). Read with TypeScript's own pre-processor, so `import type`, re-exports and `import()` count.
 */
export function readCrossImports(root: string): CrossImport[] {
  const found: CrossImport[] = [];
  for (const rel of readdirSync(root, { recursive: true }) as string[]) {
    if (!rel.endsWith('.ts') || rel.endsWith('.test.ts') || rel.split(sep).includes('node_modules')) continue;
    const text = readFileSync(join(root, rel), 'utf8');
    const source = ts.createSourceFile(rel, text, ts.ScriptTarget.Latest, false);
    for (const imp of ts.preProcessFile(text, true, true).importedFiles) {
      if (!imp.fileName.startsWith('.')) continue;
      const target = relative(root, normalize(join(root, dirname(rel), imp.fileName)));
      if (target.startsWith('..')) continue; // outside the tree (contracts/, …): not between its parts
      const from = partOf(rel);
      const to = partOf(target);
      if (from === to) continue;
      const line = source.getLineAndCharacterOfPosition(imp.pos).line + 1;
      found.push({ from, to, file: rel, line, specifier: imp.fileName });
    }
  }
  return found;
}
