// Which test files each tier runs. `fast` is the inner loop (unit + integration, about 2 minutes);
// `e2e` is the rest: the built binary driven by real clients and the SIGKILL tests (minutes);
// `all` is both. Node 20's runner does not expand globs, so files are listed here explicitly.
import { readdirSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';

export const TIERS = ['fast', 'e2e', 'all'];

/** Path prefixes (relative to the repository, `/`-separated) of the e2e tier. */
export const E2E = ['test/e2e/'];

const posix = (path) => path.split(sep).join('/');

/** Every *.test.ts under `roots`, sorted. */
export function testFiles(roots) {
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules') continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.test.ts')) files.push(posix(path));
    }
  };
  for (const root of roots) walk(root);
  return files.sort();
}

/** The files of `tier` among `files`. */
export function inTier(tier, files) {
  if (!TIERS.includes(tier)) throw new Error(`unknown tier '${tier}' (one of ${TIERS.join(', ')})`);
  const e2e = (file) => E2E.some((prefix) => file.startsWith(prefix));
  return tier === 'all' ? files : files.filter((file) => e2e(file) === (tier === 'e2e'));
}
