/**
 * API benchmark, three scenarios, each measured against a bare node:http server returning the
 * same bytes, in the same run, with the same load generator (autocannon, in this process):
 *
 *   hits   — one signed DescribeAutoScalingGroups (20 groups × 5 instances) replayed: the
 *            response cache answers. Target: bare/Phantom server CPU per request ≥ 0.6.
 *   misses — the same Describe with the 20 names in a random order, signed anew per request:
 *            every one misses the cache. Target: Phantom ≤ 300 µs server CPU per request.
 *   churn  — one user polls (hits) while another user's domain is replaced at 10 instances/s
 *            by the controller. Target: the poller's rate ≥ 0.8 of its rate without churn.
 *
 * The generator's own CPU per request, and how busy it was, are printed: a generator-bound
 * window says nothing about the server. moto_server (a peer AWS implementation, when installed)
 * is measured once on the hit scenario. Results are appended to bench/RESULTS.md.
 *
 *   npm run bench:api [-- --seconds 3 --rounds 4 --connections 10 --check --no-moto]
 *
 * --check exits 1 when a target is missed.
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ChildProcess } from 'node:child_process';
import { PHANTOM_BIN } from '../test/support/process.ts';
import { CHURN_KEY, KEY, seed, seedMoto } from './api-seed.ts';
import { describeAll, describeShuffled, replaceOne, send } from './api-requests.ts';
import {
  freePort,
  load,
  machine,
  pinSelf,
  startChild,
  stopChild,
  type LoadRequest,
  type LoadResult,
} from './support.ts';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '4' },
    connections: { type: 'string', default: '10' },
    check: { type: 'boolean', default: false },
    'no-moto': { type: 'boolean', default: false },
  },
});
const SECONDS = Number(args.seconds);
const CONNECTIONS = Number(args.connections);
const ROUNDS = Number(args.rounds);
const TARGETS = { hitCpuRatio: 0.6, missCpuMicros: 300, churnRatio: 0.8 };
const REPLACEMENTS_PER_SECOND = 10;

interface Target {
  name: string;
  url: string;
  pid?: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return (s[Math.floor((s.length - 1) / 2)]! + s[Math.ceil((s.length - 1) / 2)]!) / 2;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const meanOf = (rs: LoadResult[], f: (r: LoadResult) => number | undefined) =>
  mean(rs.map(f).filter((x): x is number => x !== undefined));

/**
 * Measures `a` and `b` in adjacent windows, alternating which goes first (this machine's
 * throughput drifts between windows), for ROUNDS rounds.
 */
async function alternate(
  a: () => Promise<LoadResult>,
  b: () => Promise<LoadResult>,
): Promise<{ a: LoadResult[]; b: LoadResult[] }> {
  const out = { a: [] as LoadResult[], b: [] as LoadResult[] };
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2 === 0) {
      out.a.push(await a());
      out.b.push(await b());
    } else {
      out.b.push(await b());
      out.a.push(await a());
    }
  }
  return out;
}

const row = (name: string, rs: LoadResult[]) =>
  `| ${name} | ${Math.round(meanOf(rs, (r) => r.rps))} | ${meanOf(rs, (r) => r.cpuPerRequest).toFixed(0)} | ` +
  `${meanOf(rs, (r) => r.generatorCpuPerRequest).toFixed(0)} | ${Math.round(100 * Math.max(...rs.map((r) => r.generatorBusy)))}% | ` +
  `${Math.max(...rs.map((r) => r.p99))} | ${rs.reduce((s, r) => s + r.errors + r.non2xx, 0)} | ` +
  `${Math.round(100 * meanOf(rs, (r) => r.foreignShare))}% |`;
const HEADER = [
  '| target | req/s (mean) | server CPU µs/request | generator CPU µs/request | generator busy (worst) | p99 ms (worst) | errors/non-2xx | machine CPU used by others (mean) |',
  '|---|---|---|---|---|---|---|---|',
];

/** Hits and misses against Phantom (controller off) and bare node:http. */
async function cacheScenarios(phantom: Target, bare: Target) {
  const fixed = (t: Target) => describeAll(t.url, KEY);
  const window = (t: Target, req: LoadRequest | { fresh: () => LoadRequest }) =>
    load(t.url, req, SECONDS, CONNECTIONS, t.pid);
  for (const t of [bare, phantom]) await window(t, fixed(t)); // warm-up
  const hits = await alternate(
    () => window(bare, fixed(bare)),
    () => window(phantom, fixed(phantom)),
  );
  const misses = await alternate(
    () => window(bare, { fresh: () => describeShuffled(bare.url, KEY) }),
    () => window(phantom, { fresh: () => describeShuffled(phantom.url, KEY) }),
  );
  return { hits, misses };
}

/** The poller's rate with and without another user's domain being replaced at 10/s. */
async function churnScenario(phantom: Target) {
  const request = () => describeAll(phantom.url, KEY);
  await waitForInService(phantom.url, 5);
  await load(phantom.url, request(), 2, CONNECTIONS, phantom.pid); // warm-up
  const churn = { attempts: 0, replaced: 0 };
  const churning = async () => {
    let stop = false;
    const loop = (async () => {
      for (let next = performance.now(); !stop; next += 1000 / REPLACEMENTS_PER_SECOND) {
        churn.attempts++;
        if (await replaceOne(phantom.url, CHURN_KEY, 'churn').catch(() => false)) churn.replaced++;
        await new Promise((r) => setTimeout(r, Math.max(0, next + 1000 / REPLACEMENTS_PER_SECOND - performance.now())));
      }
    })();
    try {
      return await load(phantom.url, request(), SECONDS, CONNECTIONS, phantom.pid);
    } finally {
      stop = true;
      await loop;
    }
  };
  const result = await alternate(() => load(phantom.url, request(), SECONDS, CONNECTIONS, phantom.pid), churning);
  return { quiet: result.a, churn: result.b, ...churn };
}

/** Waits until the churner's domain has `n` InService instances (the controller launched them). */
async function waitForInService(url: string, n: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { text } = await send(url, describeAll(url, CHURN_KEY));
    if ((text.match(/<LifecycleState>InService</g) ?? []).length >= n) return;
    if (Date.now() > deadline)
      throw new Error(`the churner's domain never reached ${n} InService: ${text.slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function startPhantom(dir: string, name: string, env: Record<string, string>): Promise<[Target, ChildProcess]> {
  const port = await freePort();
  const full = {
    PHANTOM_DATA_DIR: join(dir, name),
    PHANTOM_LISTEN: `127.0.0.1:${port}`,
    PHANTOM_LOG_LEVEL: 'warn',
    PHANTOM_METRICS_LISTEN: '127.0.0.1:0',
    ...env,
  };
  await seed(full);
  const url = `http://127.0.0.1:${port}`;
  const child = await startChild(PHANTOM_BIN, ['server'], full, url);
  return [{ name, url, pid: child.pid }, child];
}

async function main(): Promise<void> {
  const pinned = pinSelf();
  const dir = mkdtempSync(join(tmpdir(), 'phantom-bench-'));
  const children: ChildProcess[] = [];
  try {
    // Hits and misses: the API alone. The seeded instances are in no cloud, and a controller
    // reconciling them would add background work to the measured process.
    const [phantom, phantomChild] = await startPhantom(dir, 'phantom', { PHANTOM_CONTROLLER: 'off' });
    children.push(phantomChild);
    const sample = await send(phantom.url, describeAll(phantom.url, KEY));
    if (sample.status !== 200 || (sample.text.match(/<InstanceId>/g) ?? []).length !== 100)
      throw new Error(`unexpected Phantom answer ${sample.status}: ${sample.text.slice(0, 300)}`);
    writeFileSync(join(dir, 'body.xml'), sample.text);
    const barePort = await freePort();
    const bareUrl = `http://127.0.0.1:${barePort}`;
    const bareChild = await startChild(
      process.execPath,
      ['bench/bare-server.mjs', String(barePort), join(dir, 'body.xml')],
      {},
      bareUrl,
    );
    children.push(bareChild);
    const bare = { name: 'bare node:http', url: bareUrl, pid: bareChild.pid };
    const { hits, misses } = await cacheScenarios(phantom, bare);
    const moto = args['no-moto'] ? undefined : await motoWindow(children);
    await stopChild(phantomChild);

    // Churn: the controller on, replacing the churner's instances on a fast-booting sim site.
    writeFileSync(
      join(dir, 'sites.yaml'),
      'sites:\n  hotel:\n    driver: sim\n    bootMs: 50\n  sierra:\n    driver: sim\n',
    );
    const [withController, controllerChild] = await startPhantom(dir, 'phantom-controller', {
      PHANTOM_CONFIG: join(dir, 'sites.yaml'),
      PHANTOM_GRACE_MS: '3600000', // the poller's seeded instances are in no cloud: leave them be
    });
    children.push(controllerChild);
    const churn = await churnScenario(withController);
    report({ pinned, hits, misses, moto, churn });
  } finally {
    await Promise.all(children.map(stopChild));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** moto_server on the hit scenario, once; undefined when it is not installed. */
async function motoWindow(children: ChildProcess[]): Promise<LoadResult | undefined> {
  try {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = await startChild(
      'moto_server',
      ['-p', String(port)],
      { AWS_ACCESS_KEY_ID: KEY.accessKeyId, AWS_SECRET_ACCESS_KEY: KEY.secretAccessKey },
      url,
    );
    children.push(child);
    await seedMoto(url);
    return await load(url, describeAll(url, KEY), SECONDS, CONNECTIONS, child.pid);
  } catch (error) {
    console.error(`moto_server unavailable, peer column skipped: ${(error as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

function report(r: {
  pinned: boolean;
  hits: { a: LoadResult[]; b: LoadResult[] };
  misses: { a: LoadResult[]; b: LoadResult[] };
  moto?: LoadResult;
  churn: { quiet: LoadResult[]; churn: LoadResult[]; attempts: number; replaced: number };
}): void {
  const hitRatio = median(r.hits.a.map((bare, i) => r.hits.b[i]!.rps / bare.rps));
  const hitCpuRatio = meanOf(r.hits.a, (x) => x.cpuPerRequest) / meanOf(r.hits.b, (x) => x.cpuPerRequest);
  const missCpu = meanOf(r.misses.b, (x) => x.cpuPerRequest);
  const churnRatio = median(r.churn.churn.map((c, i) => c.rps / r.churn.quiet[i]!.rps));
  const churnSeconds = r.churn.churn.length * SECONDS;
  const verdict = (ok: boolean) => (ok ? 'pass' : 'MISS');
  const lines = [
    `## API: three scenarios, 20 groups × 5 instances — ${new Date().toISOString().slice(0, 10)}`,
    '',
    `Machine: ${machine()}. Load: autocannon, ${CONNECTIONS} connections; ${ROUNDS} rounds of adjacent ${SECONDS} s windows per scenario (order alternating) after a warm-up; servers in child processes${r.pinned ? ' pinned to core 1, load generator to core 0' : ''}.`,
    '',
    '### Hits: one signed Describe replayed',
    '',
    ...HEADER,
    row('bare node:http', r.hits.a),
    row('phantom', r.hits.b),
    ...(r.moto ? [row('moto_server (once)', [r.moto])] : []),
    '',
    `Server CPU per request, bare / Phantom = **${hitCpuRatio.toFixed(2)}** (target ≥ ${TARGETS.hitCpuRatio}: ${verdict(hitCpuRatio >= TARGETS.hitCpuRatio)}); req/s Phantom / bare = ${hitRatio.toFixed(2)} (median of rounds).` +
      (r.moto ? ` Phantom / moto_server req/s = ${Math.round(meanOf(r.hits.b, (x) => x.rps) / r.moto.rps)}×.` : ''),
    '',
    '### Misses: the same Describe, names shuffled and signed anew per request',
    '',
    ...HEADER,
    row('bare node:http', r.misses.a),
    row('phantom', r.misses.b),
    '',
    `Phantom server CPU per miss = **${missCpu.toFixed(0)} µs** (target ≤ ${TARGETS.missCpuMicros}: ${verdict(missCpu <= TARGETS.missCpuMicros)}).`,
    '',
    "### Churn: one user polls while another user's domain is replaced at 10 instances/s",
    '',
    ...HEADER,
    row('phantom, quiet', r.churn.quiet),
    row('phantom, churning', r.churn.churn),
    '',
    `Poller rate churning / quiet = **${churnRatio.toFixed(2)}** (median of rounds; target ≥ ${TARGETS.churnRatio}: ${verdict(churnRatio >= TARGETS.churnRatio)}); ${r.churn.replaced} replacements in ${churnSeconds} s of churn (${(r.churn.replaced / churnSeconds).toFixed(1)}/s).`,
    '',
  ];
  console.log(lines.join('\n'));
  appendFileSync('bench/RESULTS.md', `${lines.join('\n')}\n`);
  const missed =
    hitCpuRatio < TARGETS.hitCpuRatio || missCpu > TARGETS.missCpuMicros || churnRatio < TARGETS.churnRatio;
  if (args.check && missed) process.exitCode = 1;
  if ([...r.hits.b, ...r.misses.b, ...r.churn.quiet, ...r.churn.churn].some((x) => x.non2xx > 0 || x.errors > 0)) {
    console.error('FAIL: Phantom answered errors under load');
    process.exitCode = 1;
  }
}

await main();
