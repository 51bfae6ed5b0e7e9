/**
 * Fairness benchmark: one tenant must not stall the others. The real `phantom server` (through
 * bin/phantom.js) on two embedded zero-latency sim sites; user A's instance limit is raised to
 * --instances (default 50,000) and A scales --groups plain groups to it. Meanwhile user B's
 * signed DescribeAutoScalingGroups runs back to back (p99 target ≤ 100 ms) and B creates a
 * 3-instance domain (converged target ≤ one poll interval). Half-way through A's backlog the
 * server gets SIGTERM (exit target ≤ 5 s) and is restarted on the same data dir (serving target
 * ≤ 5 s), then A's backlog is caught up. The server's event loop delay (max, p99 per second) is
 * read from a preloaded monitor (bench/loop-delay.mjs), with the garbage collections it saw, beside
 * the longest hold by one controller pass or batch (phantom_controller_longest_hold_* metrics,
 * scraped just before each stop), so the maximum delay can be told apart.
 *
 *   npm run bench:fairness [-- --instances 50000 --groups 10 --interval 5000 --check]
 *
 * Appends the figures to bench/RESULTS.md; --check exits 1 when a target is missed.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import {
  createDomainOfB,
  createGroupsOfA,
  DescribeProbe,
  FairnessServer,
  quantile,
  scaleA,
} from '../test/support/fairness.ts';
import { freePort, REPO_ROOT } from '../test/support/process.ts';
import { parsePrometheusText, type Family } from '../test/support/prom-text.ts';
import { machine } from './support.ts';

const { values: args } = parseArgs({
  options: {
    instances: { type: 'string', default: '50000' },
    groups: { type: 'string', default: '10' },
    interval: { type: 'string', default: '5000' },
    'launches-per-site': { type: 'string' },
    check: { type: 'boolean', default: false },
  },
});
const INSTANCES = Number(args.instances);
const GROUPS = Number(args.groups);
const EACH = Math.ceil(INSTANCES / GROUPS);
const INTERVAL_MS = Number(args.interval);
const TARGET = { describeP99Ms: 100, convergeMs: INTERVAL_MS, sigtermMs: 5000, restartMs: 5000 };

const round = (n: number) => Math.round(n * 10) / 10;
const log = (line: string) => process.stderr.write(`[fairness] ${line}\n`);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'phantom-bench-fairness-'));
  const loopFile = join(dir, 'loop-delay.jsonl');
  const metricsListen = `127.0.0.1:${await freePort()}`;
  const server = await FairnessServer.create(dir, {
    PHANTOM_METRICS_LISTEN: metricsListen,
    PHANTOM_RECONCILE_INTERVAL_MS: String(INTERVAL_MS),
    PHANTOM_MAX_GROUPS: String(GROUPS + 10),
    NODE_OPTIONS: `--import=${join(REPO_ROOT, 'bench', 'loop-delay.mjs')} ${process.env.BENCH_NODE_ARGS ?? ''}`,
    BENCH_LOOP_DELAY_FILE: loopFile,
    ...(args['launches-per-site'] ? { PHANTOM_LAUNCHES_PER_SITE: args['launches-per-site'] } : {}),
  });
  try {
    await server.start();
    const a = await server.addUser('alice');
    const b = await server.addUser('bob');
    await server.cli(['user', 'limits', 'alice', '--max-instances', String(GROUPS * EACH)]);
    await createGroupsOfA(server, a, GROUPS, EACH);
    const probe = new DescribeProbe(server, b);
    probe.start();
    await new Promise((r) => setTimeout(r, 1000));
    const scaleStarted = performance.now();
    const loopFrom = Date.now();
    await scaleA(server, a, GROUPS, EACH);
    log(`A set to ${GROUPS} × ${EACH}`);
    await new Promise((r) => setTimeout(r, 3000));
    const created = performance.now();
    await createDomainOfB(server, b);
    while (probe.threeInServiceAt === undefined && performance.now() - created < 60_000)
      await new Promise((r) => setTimeout(r, 20));
    const convergeMs = (probe.threeInServiceAt ?? Number.NaN) - created;
    log(`B's domain InService after ${Math.round(convergeMs)} ms`);

    const target = GROUPS * EACH;
    while (server.instances('a-') < target / 2) await new Promise((r) => setTimeout(r, 500));
    await probe.stop();
    const restartFrom = Date.now();
    const holdsBefore = await scrapeHolds(metricsListen);
    const stopped = await server.stop();
    const beforeRestart = server.instances('a-');
    log(`SIGTERM at ${beforeRestart} of A's instances: exit ${stopped.code} after ${Math.round(stopped.ms)} ms`);
    const restartMs = await server.start(b);
    const restartTo = Date.now() + 1000;
    log(`restarted with ${target - beforeRestart} to go: serving B after ${Math.round(restartMs)} ms`);
    const afterRestart = new DescribeProbe(server, b);
    afterRestart.start();
    const deadline = performance.now() + 30 * 60_000;
    while (server.instances('a-') < target && performance.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    const scaleMs = performance.now() - scaleStarted;
    await afterRestart.stop();
    const loopTo = Date.now();
    const holdsAfter = await scrapeHolds(metricsListen);
    await server.stop();
    const live = server.instances('a-');

    const latencies = [...probe.latencies, ...afterRestart.latencies];
    const delays = readFileSync(loopFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as LoopSecond)
      .filter((d) => d.at >= loopFrom && d.at <= loopTo && (d.at < restartFrom || d.at > restartTo));
    const figures = {
      describeP99Ms: quantile(latencies, 0.99),
      describeP50Ms: quantile(latencies, 0.5),
      describeMaxMs: Math.max(...latencies),
      describes: latencies.length,
      describeFailures: probe.failures + afterRestart.failures,
      convergeMs,
      sigtermMs: stopped.ms,
      sigtermCode: stopped.code,
      restartMs,
      reachedInstances: live,
      scaleS: scaleMs / 1000,
      loopDelayMaxMs: Math.max(...delays.map((d) => d.max)),
      loopDelayP99Ms: quantile(
        delays.map((d) => d.p99),
        0.99,
      ),
      ...holdFigures(holdsBefore, holdsAfter),
      ...gcFigures(delays),
    };
    const worst = delays.reduce((a, b) => (b.max > a.max ? b : a), delays[0]!);
    report(figures, worst?.gcMaxKind || 'none');
  } catch (error) {
    log(`server output: ${server.output}`);
    throw error;
  } finally {
    if (server.child?.exitCode === null) await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One second of the server's event loop, as bench/loop-delay.mjs writes it. */
interface LoopSecond {
  at: number;
  p99: number;
  max: number;
  gcCount?: number;
  gcMaxMs?: number;
  gcMaxKind?: string;
  gcMs?: number;
}

/** What one server run's metrics say about its batches' longest holds. */
interface Holds {
  maxMs: number;
  batches: number;
  over10Ms: number;
}

/** The controller's hold metrics of the server listening on `listen` (zeros when it cannot be read). */
async function scrapeHolds(listen: string): Promise<Holds> {
  let families: Map<string, Family>;
  try {
    families = parsePrometheusText(await (await fetch(`http://${listen}/metrics`)).text());
  } catch (error) {
    log(`could not read the metrics: ${String(error)}`);
    return { maxMs: Number.NaN, batches: 0, over10Ms: 0 };
  }
  const samples = (name: string) => families.get(name)?.samples ?? [];
  const maxes = samples('phantom_controller_longest_hold_max_seconds').map((s) => s.value * 1000);
  const histogram = samples('phantom_controller_longest_hold_seconds');
  const sum = (suffix: string, le?: string) =>
    histogram
      .filter((s) => s.name.endsWith(suffix) && (le === undefined || s.labels.le === le))
      .reduce((n, s) => n + s.value, 0);
  const batches = sum('_count');
  return { maxMs: Math.max(0, ...maxes), batches, over10Ms: batches - sum('_bucket', '0.01') };
}

function holdFigures(...runs: Holds[]): Record<string, number> {
  return {
    holdMaxMs: Math.max(...runs.map((r) => r.maxMs)),
    holdBatches: runs.reduce((n, r) => n + r.batches, 0),
    holdOver10: runs.reduce((n, r) => n + r.over10Ms, 0),
  };
}

/** GC pauses over the measured seconds, and the longest GC pause in the second of the largest delay. */
function gcFigures(seconds: LoopSecond[]): Record<string, number> {
  const worst = seconds.reduce((a, b) => (b.max > a.max ? b : a), seconds[0]!);
  return {
    gcCount: seconds.reduce((n, s) => n + (s.gcCount ?? 0), 0),
    gcMaxMs: Math.max(0, ...seconds.map((s) => s.gcMaxMs ?? 0)),
    gcMs: seconds.reduce((n, s) => n + (s.gcMs ?? 0), 0),
    gcInWorstSecondMs: worst?.gcMaxMs ?? 0,
  };
}

function report(f: Record<string, number | null>, gcInWorstSecondKind: string): void {
  const misses = [
    f.describeP99Ms! > TARGET.describeP99Ms && `B's Describe p99 ${round(f.describeP99Ms!)} ms`,
    !(f.convergeMs! <= TARGET.convergeMs) && `B's domain converged in ${round(f.convergeMs!)} ms`,
    !(f.sigtermMs! <= TARGET.sigtermMs) && `SIGTERM exit took ${round(f.sigtermMs!)} ms`,
    !(f.restartMs! <= TARGET.restartMs) && `restart served after ${round(f.restartMs!)} ms`,
    f.reachedInstances! < GROUPS * EACH && `A reached ${f.reachedInstances} of ${GROUPS * EACH} instances`,
  ].filter((m): m is string => typeof m === 'string');
  const rows = [
    [
      'user B signed Describe p99 (p50, max)',
      `${round(f.describeP99Ms!)} ms (${round(f.describeP50Ms!)}, ${round(f.describeMaxMs!)}) over ${f.describes} calls, ${f.describeFailures} failed`,
      `≤ ${TARGET.describeP99Ms} ms`,
    ],
    [
      "user B's 3-instance domain InService after create",
      `${round(f.convergeMs!)} ms`,
      `≤ ${TARGET.convergeMs} ms (one poll interval)`,
    ],
    [
      'SIGTERM mid-backlog → exit',
      `${round(f.sigtermMs!)} ms (exit code ${f.sigtermCode})`,
      `≤ ${TARGET.sigtermMs} ms`,
    ],
    ['restart with the backlog → serving B', `${round(f.restartMs!)} ms`, `≤ ${TARGET.restartMs} ms`],
    [
      "user A's scale-up (incl. restart)",
      `${f.reachedInstances} instances in ${round(f.scaleS!)} s`,
      `${GROUPS * EACH}`,
    ],
    [
      'server event loop delay while scaling, restart excluded: max (p99 of per-second p99s)',
      `${round(f.loopDelayMaxMs!)} ms (${round(f.loopDelayP99Ms!)} ms)`,
      '~10 ms',
    ],
    [
      'longest hold by a pass or batch (batches holding > 10 ms)',
      `${round(f.holdMaxMs!)} ms (${f.holdOver10} of ${f.holdBatches})`,
      '~10 ms',
    ],
    [
      'GC pauses meanwhile: count, longest (total); longest in the second of the max delay',
      `${f.gcCount}, ${round(f.gcMaxMs!)} ms (${round(f.gcMs!)} ms); ${round(f.gcInWorstSecondMs!)} ms (${gcInWorstSecondKind})`,
      '(informational)',
    ],
  ];
  const table = ['| measure | result | target |', '|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join(
    '\n',
  );
  process.stdout.write(`${table}\n${misses.length ? `MISSED: ${misses.join('; ')}` : 'all targets met'}\n`);
  const section = [
    '',
    `## Fairness: user A scales ${GROUPS} plain groups to ${GROUPS * EACH} instances while user B works — ${new Date().toISOString().slice(0, 10)}`,
    '',
    `Machine: ${machine()}. \`phantom server\` through bin/phantom.js on two embedded sim sites (bootMs 0, apiLatencyMs 0, unlimited capacity); poll interval ${INTERVAL_MS} ms, launches per site per batch ${args['launches-per-site'] ?? '100 (default)'}. B's Describe calls back to back (10 ms apart) while A scales; SIGTERM when A has half its instances, restart on the same data dir.`,
    '',
    table,
    '',
    misses.length ? `Missed: ${misses.join('; ')}.` : 'All targets met.',
    '',
  ].join('\n');
  appendFileSync(join(REPO_ROOT, 'bench', 'RESULTS.md'), section);
  if (args.check && misses.length > 0) process.exitCode = 1;
}

await main();
