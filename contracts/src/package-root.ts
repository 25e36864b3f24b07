import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package's root folder: package.json, bin/, models/, flows/ and cloud/migrations/ sit there. Code that
 * reads a shipped file finds it from here rather than by counting `..` from its own location, because the
 * same module runs from two places: `<root>/contracts/src/` (the TypeScript sources, through tsx) and
 * `<root>/dist/contracts/src/` (compiled by `npm run build`; dist/ holds no package.json).
 */
export const PACKAGE_ROOT: string = (() => {
  const up2 = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  return existsSync(join(up2, 'package.json')) ? up2 : dirname(up2);
})();
