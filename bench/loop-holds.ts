/**
 * Loop holds: the longest the event loop is held by one synchronous piece of each large read or
 * write the controller and the embedded sim do at scale (best of 3): all at once, in the pieces
 * of before (pages of 1,000 instance rows; a sim state file loaded at once), and in today's
 * pieces (pages of INSTANCE_PAGE_SIZE rows; a state file loaded LOAD_CHUNK instances at a
 * time). Rows: an owner's and a group's instance rows, a sim listing (chunks of 1,000), a sim
 * state-file write (pieces of 1,000) and load. Holds are timed by a setImmediate chain (the
 * gap between two turns), again with the GC pauses inside each gap taken out, and in process
 * CPU time (what a loaded machine's preemption adds taken out).
 *
 *   npm run bench:loop-holds [-- --instances 50000]
 *
 * runs it with the V8 flags of bin/phantom.js (young generation of 2 MB: short scavenges) and
 * --expose-gc (a full collection before each run).
 *
 * Appends the figures to bench/RESULTS.md.
 */
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { FixedClock } from '../src/contracts/clock.ts';
import { INSTANCE_PAGE_SIZE, listInstancesInPages } from '../src/controllers/domain-reads.ts';
import { openSimCloud, openSimCloudInPieces } from '../src/drivers/sim/open.ts';
import { LOAD_CHUNK, saveSimSnapshot, saveSimSnapshotInPieces } from '../src/drivers/sim/persist.ts';
import { seededRandom } from '../src/lib/random.ts';
import { instance } from '../src/store/cases/fixtures.ts';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { REPO_ROOT } from '../test/support/process.ts';
import { machine } from './support.ts';

const { values: args } = parseArgs({ options: { instances: { type: 'string', default: '50000' } } });
const N = Number(args.instances);

/** A full collection now, when Node runs with --expose-gc (npm run bench:loop-holds does). */
const collectGarbage = (): void => (globalThis as { gc?: () => void }).gc?.();

/**
 * The longest gap between two event-loop turns; the longest once the GC pauses inside each gap
 * are taken out; and the longest in CPU time used by the process within a gap (a gap the
 * process spent waiting for a core, on a loaded machine, uses little).
 */
interface Hold {
  ms: number;
  withoutGcMs: number;
  cpuMs: number;
}

const cpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** How long GC paused the thread within [from, to] (ms, performance.now() time). */
const gcWithin = (gcs: readonly PerformanceEntry[], from: number, to: number): number =>
  gcs.reduce((n, e) => n + Math.max(0, Math.min(to, e.startTime + e.duration) - Math.max(from, e.startTime)), 0);

/** The longest gaps between two event-loop turns while `work` runs (each the best of 3 runs). */
async function longestHold(work: () => Promise<unknown>): Promise<Hold> {
  const best: Hold = { ms: Infinity, withoutGcMs: Infinity, cpuMs: Infinity };
  for (let run = 0; run < 3; run++) {
    collectGarbage(); // each run starts from a clean heap: a collection left over from the last one would land in this one
    const gcs: PerformanceEntry[] = [];
    const observer = new PerformanceObserver((list) => gcs.push(...list.getEntries()));
    observer.observe({ entryTypes: ['gc'] });
    const gaps: Array<[number, number, number]> = [];
    let last = performance.now();
    let lastCpu = cpuMs();
    let ticking = true;
    const tick = (): void => {
      const now = performance.now();
      const cpu = cpuMs();
      gaps.push([last, now, cpu - lastCpu]);
      last = now;
      lastCpu = cpu;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    await work();
    ticking = false;
    await new Promise((resolve) => setImmediate(resolve));
    gcs.push(...observer.takeRecords());
    observer.disconnect();
    best.ms = Math.min(best.ms, Math.max(0, ...gaps.map(([from, to]) => to - from)));
    best.withoutGcMs = Math.min(
      best.withoutGcMs,
      Math.max(0, ...gaps.map(([from, to]) => to - from - gcWithin(gcs, from, to))),
    );
    best.cpuMs = Math.min(best.cpuMs, Math.max(0, ...gaps.map(([, , cpu]) => cpu)));
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
  const openFile = { site: 'hotel', file, clock: new FixedClock(), random: seededRandom(2) };
  const rows: Array<[string, Hold, Hold | 'unchanged', Hold]> = [
    [
      `an owner's ${N} instance rows`,
      await longestHold(() => store.listInstances('u1', {})),
      await longestHold(() => listInstancesInPages(store, 'u1', undefined, 1000)),
      await longestHold(() => listInstancesInPages(store, 'u1')),
    ],
    [
      `a group's ${N / 5} instance rows`,
      await longestHold(() => store.listInstances('u1', { groupName: 'g1' })),
      await longestHold(() => listInstancesInPages(store, 'u1', 'g1', 1000)),
      await longestHold(() => listInstancesInPages(store, 'u1', 'g1')),
    ],
    [
      `sim listing of ${N} instances by owner tag`,
      await longestHold(async () => sim.state.list(owner, Date.now()).map((r) => ({ ...r, tags: { ...r.tags } }))),
      'unchanged',
      await longestHold(() => sim.driver.listInstances({ tags: owner }, signal)),
    ],
    [
      `sim state file of ${N} instances, written`,
      await longestHold(async () => saveSimSnapshot(file, sim.state.snapshotView())),
      'unchanged',
      await longestHold(() => saveSimSnapshotInPieces(file, `${file}.tmp`, sim.state.snapshotView(), () => true)),
    ],
  ];
  const loadedAtOnce = await longestHold(async () => openSimCloud(openFile));
  // Before, a state file was loaded at once.
  rows.push([
    `sim state file of ${N} instances, loaded`,
    loadedAtOnce,
    loadedAtOnce,
    await longestHold(() => openSimCloudInPieces(openFile)),
  ]);
  await store.close();
  const ms = (h: Hold | 'unchanged') =>
    h === 'unchanged'
      ? 'as now (unchanged)'
      : `${h.ms.toFixed(1)} ms (${h.withoutGcMs.toFixed(1)}; ${h.cpuMs.toFixed(1)})`;
  const table = [
    '| operation | longest hold, at once | before (pages of 1,000 rows; a state file loaded at once) | now, in pieces |',
    '|---|---|---|---|',
    ...rows.map(([what, once, before, now]) => `| ${what} | ${ms(once)} | ${ms(before)} | ${ms(now)} |`),
  ].join('\n');
  process.stdout.write(`${table}\n`);
  appendFileSync(
    join(REPO_ROOT, 'bench', 'RESULTS.md'),
    `\n## Loop holds of bulk reads and writes at ${N} instances — ${new Date().toISOString().slice(0, 10)}\n\nMachine: ${machine()}. bench/loop-holds.ts (load average ${loadavg()[0]!.toFixed(1)}): the longest gap between two event-loop turns while each runs, best of 3; in brackets, the longest once the GC pauses inside each gap are taken out, and the longest in process CPU time (preemption on a loaded machine taken out). Now: pages of ${INSTANCE_PAGE_SIZE} instance rows, a sim state file loaded ${LOAD_CHUNK} instances at a time; sim listings and writes in pieces of 1,000.\n\n${table}\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
