/**
 * Loop holds: the longest the event loop is held by one synchronous piece of each large read or
 * write the controller and the embedded sim do at scale (best of 3), before and after they were
 * split into pieces: an owner's and a group's instance rows (one query vs pages of 1,000), a
 * sim listing (all at once vs chunks of 1,000), a sim state-file write (one JSON write vs
 * pieces of 1,000). Holds are timed by a setImmediate chain (the gap between two turns).
 *
 *   node --import tsx bench/loop-holds.ts [-- --instances 50000]
 *
 * Appends the figures to bench/RESULTS.md.
 */
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { FixedClock } from '../src/contracts/clock.ts';
import { listInstancesInPages } from '../src/controllers/domain-reads.ts';
import { openSimCloud } from '../src/drivers/sim/open.ts';
import { saveSimSnapshot, saveSimSnapshotInPieces } from '../src/drivers/sim/persist.ts';
import { seededRandom } from '../src/lib/random.ts';
import { instance } from '../src/store/cases/fixtures.ts';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { REPO_ROOT } from '../test/support/process.ts';
import { machine } from './support.ts';

const { values: args } = parseArgs({ options: { instances: { type: 'string', default: '50000' } } });
const N = Number(args.instances);

/** The longest gap between two event-loop turns while `work` runs (best of 3 runs). */
async function longestHold(work: () => Promise<unknown>): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 3; run++) {
    let longest = 0;
    let last = performance.now();
    let ticking = true;
    const tick = (): void => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    await work();
    ticking = false;
    await new Promise((resolve) => setImmediate(resolve));
    best = Math.min(best, longest);
  }
  return best;
}

const dir = mkdtempSync(join(tmpdir(), 'phantom-bench-holds-'));
try {
  const store = await openSqliteStore({ file: join(dir, 'phantom.db') });
  const owner = { 'phantom:owner': 'u1' };
  for (let i = 0; i < N; i++) await store.putInstance(instance('u1', `g${i % 5}`, `i-${String(i).padStart(8, '0')}`));
  const sim = openSimCloud({ site: 'hotel', clock: new FixedClock(), random: seededRandom(1), knobs: { bootMs: 0 } });
  const signal = new AbortController().signal;
  for (let i = 0; i < N; i++) {
    const tags = { ...owner, 'phantom:group': `g${i % 5}` };
    await sim.driver.launch({ clientToken: `t${i}`, imageId: 'ami-1', instanceType: 'm1.small', tags }, signal);
  }
  const file = join(dir, 'sim.json');
  const rows: Array<[string, number, number]> = [
    [
      `an owner's ${N} instance rows`,
      await longestHold(() => store.listInstances('u1', {})),
      await longestHold(() => listInstancesInPages(store, 'u1')),
    ],
    [
      `a group's ${N / 5} instance rows`,
      await longestHold(() => store.listInstances('u1', { groupName: 'g1' })),
      await longestHold(() => listInstancesInPages(store, 'u1', 'g1')),
    ],
    [
      `sim listing of ${N} instances by owner tag`,
      await longestHold(async () => sim.state.list(owner, Date.now()).map((r) => ({ ...r, tags: { ...r.tags } }))),
      await longestHold(() => sim.driver.listInstances({ tags: owner }, signal)),
    ],
    [
      `sim state file of ${N} instances`,
      await longestHold(async () => saveSimSnapshot(file, sim.state.snapshotView())),
      await longestHold(() => saveSimSnapshotInPieces(file, `${file}.tmp`, sim.state.snapshotView(), () => true)),
    ],
  ];
  await store.close();
  const table = [
    '| operation | longest hold, at once | longest hold, in pieces of 1,000 |',
    '|---|---|---|',
    ...rows.map(([what, once, pieces]) => `| ${what} | ${once.toFixed(1)} ms | ${pieces.toFixed(1)} ms |`),
  ].join('\n');
  process.stdout.write(`${table}\n`);
  appendFileSync(
    join(REPO_ROOT, 'bench', 'RESULTS.md'),
    `\n## Loop holds of bulk reads and writes at ${N} instances — ${new Date().toISOString().slice(0, 10)}\n\nMachine: ${machine()}. bench/loop-holds.ts: the longest gap between two event-loop turns while each runs, best of 3.\n\n${table}\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
