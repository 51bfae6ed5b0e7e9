/**
 * CloudWatch ingest benchmark: PutMetricData through the real HTTP path (SigV4-signed AWS JSON
 * 1.0 requests to a `phantom server` child pinned to its own core) from 1,000 simulated
 * instances × 20 metrics at 10-second resolution (StorageResolution 1): each instance sends its
 * 20 datapoints in one request per tick, as an agent would. Requests are signed before the
 * clock starts, so the generator's signing cost stays out of the measurement.
 *
 * Reports datapoints/s (target ≥ 20,000) and the server's RSS growth from before the first
 * tick to after the last (target ≤ 100 MB); then (bench/metrics-evaluation.ts) one evaluation
 * round of 1,000 groups with target tracking (target ≤ 100 ms) and metric breach → first launch
 * call (target ≤ one evaluation period + 1 s).
 *
 *   npm run bench:metrics [-- --instances 1000 --metrics 20 --ticks 18 --concurrency 32 --check --append]
 *
 * --check exits 1 when a target is missed; --append adds the figures to bench/RESULTS.md.
 */
import { appendFileSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PHANTOM_BIN } from '../test/support/process.ts';
import { signedJsonHeaders } from '../test/support/sign-json.ts';
import { breachToLaunch, evaluationRound } from './metrics-evaluation.ts';
import { freePort, machine, pinSelf, startChild, stopChild } from './support.ts';

const { values: args } = parseArgs({
  options: {
    instances: { type: 'string', default: '1000' },
    metrics: { type: 'string', default: '20' },
    ticks: { type: 'string', default: '18' },
    concurrency: { type: 'string', default: '32' },
    check: { type: 'boolean', default: false },
    append: { type: 'boolean', default: false },
  },
});
const INSTANCES = Number(args.instances);
const METRICS = Number(args.metrics);
const TICKS = Number(args.ticks);
const CONCURRENCY = Number(args.concurrency);
const TARGETS = { datapointsPerSecond: 20_000, rssGrowthMb: 100 };
const KEY = { accessKeyId: 'AKIDBENCHMETRICS0001', secretAccessKey: 'bench/metrics+secret' };
const TARGET = 'GraniteServiceVersion20100801.PutMetricData';

interface Signed {
  headers: Record<string, string>;
  body: string;
}

/** The RSS of process `pid` in MB, from /proc. */
function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')![1]) / 1024;
}

/** One instance's request for one tick: its METRICS datapoints at `atSeconds`. */
function body(instance: number, atSeconds: number): string {
  const id = `i-${instance.toString(16).padStart(17, '0')}`;
  const data = [];
  for (let m = 0; m < METRICS; m++) {
    data.push({
      MetricName: `Metric${m}`,
      Dimensions: [{ Name: 'InstanceId', Value: id }],
      Timestamp: atSeconds,
      Value: (instance * 31 + m * 7 + atSeconds) % 100,
      Unit: 'Percent',
      StorageResolution: 1,
    });
  }
  return JSON.stringify({ Namespace: 'Bench/Fleet', MetricData: data });
}

/** Signs every request of every tick (ticks 10 s apart, ending a minute ago). */
async function signAll(url: string): Promise<Signed[]> {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const out: Signed[] = [];
  for (let tick = 0; tick < TICKS; tick++) {
    const at = nowSeconds - 60 - (TICKS - 1 - tick) * 10;
    for (let i = 0; i < INSTANCES; i++) {
      const b = body(i, at);
      out.push({ headers: await signedJsonHeaders(url, KEY, TARGET, b, { queryMode: true }), body: b });
    }
  }
  return out;
}

/** Sends `requests` with CONCURRENCY in flight over keep-alive connections; resolves the failures. */
async function sendAll(url: string, requests: Signed[]): Promise<number> {
  const { hostname, port } = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let next = 0;
  let failures = 0;
  const worker = async () => {
    while (next < requests.length) {
      const r = requests[next++]!;
      const status = await new Promise<number>((resolve, reject) => {
        // The signed headers include Host, as signed; Node sends them as given.
        const headers: Record<string, string> = { ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) };
        const req = request({ host: hostname, port, method: 'POST', path: '/', headers, agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end(r.body);
      });
      if (status !== 200) failures++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  agent.destroy();
  return failures;
}

async function main(): Promise<void> {
  const pinned = pinSelf();
  const dataDir = mkdtempSync(join(tmpdir(), 'phantom-bench-metrics-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = await startChild(
    process.execPath,
    [PHANTOM_BIN, 'server'],
    {
      PHANTOM_LISTEN: `127.0.0.1:${port}`,
      PHANTOM_DATA_DIR: dataDir,
      PHANTOM_ACCESS_KEY: KEY.accessKeyId,
      PHANTOM_SECRET_KEY: KEY.secretAccessKey,
      PHANTOM_CONTROLLER: 'off',
      PHANTOM_METRICS_LISTEN: 'off',
      PHANTOM_LOG_LEVEL: 'warn',
    },
    url,
  );
  try {
    const requests = await signAll(url);
    // Warm-up: one request (the JIT, the user record, the signing-key cache), then the baseline RSS.
    await sendAll(url, [{ ...requests[0]! }]);
    const rssBefore = rssMb(server.pid!);
    const started = performance.now();
    const failures = await sendAll(url, requests);
    const seconds = (performance.now() - started) / 1000;
    const rssAfter = rssMb(server.pid!);
    const datapoints = requests.length * METRICS;
    const rate = datapoints / seconds;
    const growth = rssAfter - rssBefore;
    console.log(machine());
    console.log(
      `generator pinned: ${pinned}; ${INSTANCES} instances × ${METRICS} metrics × ${TICKS} ticks (10 s apart)`,
    );
    console.log(
      `${requests.length} PutMetricData requests, ${datapoints} datapoints in ${seconds.toFixed(2)} s, ${failures} failed`,
    );
    console.log(`ingest: ${Math.round(rate)} datapoints/s (target ≥ ${TARGETS.datapointsPerSecond})`);
    console.log(
      `server RSS: ${rssBefore.toFixed(1)} → ${rssAfter.toFixed(1)} MB, growth ${growth.toFixed(1)} MB (target ≤ ${TARGETS.rssGrowthMb})`,
    );
    await stopChild(server);
    const round = await evaluationRound();
    console.log(
      `evaluation round: ${round.alarms} alarms of 1000 groups in ${round.wallMs.toFixed(1)} ms (CPU ${round.cpuMs.toFixed(1)} ms; target ≤ 100 ms)`,
    );
    const breach = await breachToLaunch();
    console.log(
      `metric breach → first launch call: ${(breach.latencyMs / 1000).toFixed(2)} s (target ≤ ${(breach.periodMs + 1000) / 1000} s)`,
    );
    const met = {
      ingest: failures === 0 && rate >= TARGETS.datapointsPerSecond,
      rss: growth <= TARGETS.rssGrowthMb,
      round: round.wallMs <= 100,
      breach: breach.latencyMs <= breach.periodMs + 1000,
    };
    if (args.append)
      appendFileSync(
        'bench/RESULTS.md',
        [
          `\n## Metrics: ingest, evaluation, breach → launch — ${new Date().toISOString().slice(0, 10)}`,
          '',
          `Machine: ${machine()}. \`npm run bench:metrics\`: PutMetricData through HTTP to a \`phantom server\` child (${INSTANCES} instances × ${METRICS} metrics × ${TICKS} ticks, 10-second resolution); an in-process AlarmEvaluator round over 1,000 groups' target tracking alarms (SQLite store); a real server with the real clock for breach → launch.`,
          '',
          '| measure | result | target |',
          '|---|---|---|',
          `| ingest | ${Math.round(rate)} datapoints/s (${failures} failed) | ≥ 20,000, ${met.ingest ? 'met' : 'MISSED'} |`,
          `| server RSS growth | ${growth.toFixed(1)} MB | ≤ 100 MB, ${met.rss ? 'met' : 'MISSED'} |`,
          `| one evaluation round, 1,000 groups (${round.alarms} alarms, all due), steady, best of 3 | ${round.wallMs.toFixed(1)} ms wall, ${round.cpuMs.toFixed(1)} ms CPU | ≤ 100 ms, ${met.round ? 'met' : 'MISSED'} |`,
          `| the first round (every alarm leaves INSUFFICIENT_DATA: ${round.alarms} state changes and history items written) | ${round.firstWallMs.toFixed(1)} ms | (informational) |`,
          `| metric breach → first launch call (10-second period) | ${(breach.latencyMs / 1000).toFixed(2)} s | ≤ 11 s, ${met.breach ? 'met' : 'MISSED'} |`,
          '',
        ].join('\n'),
      );
    if (args.check && Object.values(met).some((ok) => !ok)) process.exitCode = 1;
  } finally {
    await stopChild(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
