// Keeps a prebuilt bundle of the TypeScript sources, so the `phantom` command runs plain
// JavaScript: no TypeScript loader thread in every process (about 35 MB less resident memory
// and a faster start). The bundle is rebuilt with esbuild whenever a source file is newer.
import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCES = join(ROOT, 'src');
export const BUNDLE = join(ROOT, 'node_modules', '.cache', 'phantom', 'phantom.mjs');

/** The newest modification time (ms) of the runtime sources (tests excluded). */
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !/\.(test|case)\.ts$/.test(entry.name))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return Math.max(newest, statSync(join(ROOT, 'package.json')).mtimeMs);
}

function builtAt() {
  try {
    return statSync(BUNDLE).mtimeMs;
  } catch {
    return -1;
  }
}

/**
 * The path of an up-to-date bundle of src/cli/main.ts (built now if missing or stale), or
 * undefined when it cannot be built here (e.g. a read-only checkout): then run the sources.
 * Safe when several processes start at once: each builds to its own file and renames it.
 */
export async function freshBundle() {
  if (process.env.PHANTOM_RUN_SOURCES === '1') return undefined;
  if (builtAt() >= newestSource(SOURCES)) return BUNDLE;
  const temp = `${BUNDLE}.${process.pid}.tmp`;
  try {
    const { build } = await import('esbuild');
    mkdirSync(dirname(BUNDLE), { recursive: true });
    await build({
      entryPoints: [join(SOURCES, 'cli', 'main.ts')],
      outfile: temp,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      logLevel: 'silent',
      keepNames: false,
    });
    renameSync(temp, BUNDLE);
    return BUNDLE;
  } catch {
    rmSync(temp, { force: true });
    return undefined;
  }
}
