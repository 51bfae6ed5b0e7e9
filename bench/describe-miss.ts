/**
 * In-process micro-benchmark of a response-cache miss: QueryApi.handle on a SigV4-signed
 * DescribeAutoScalingGroups of 20 groups × 5 instances (seeded as bench:api seeds), the 20 names
 * in a random order per request so every one misses. Measured by this process's CPU time
 * (process.cpuUsage), not wall time, so the figure holds on a loaded machine. Requests are
 * signed before the measured window; every answer is checked to be byte-identical to the first
 * (but for its request id).
 *
 *   npm run bench:describe-miss [-- --requests 2000 --warmup 500 --rounds 3 --append]
 *
 * --append adds the result to bench/RESULTS.md.
 */
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { Authenticator } from '../src/api/auth/authenticate.ts';
import { AWS_ACTIONS, IMPLEMENTED_ACTIONS } from '../src/api/autoscaling/index.ts';
import type { RawRequest } from '../src/api/http/raw-request.ts';
import { QueryApi } from '../src/api/query/dispatch.ts';
import { loadConfig } from '../src/config/config.ts';
import { systemClock } from '../src/contracts/clock.ts';
import { openDataDir } from '../src/data-dir.ts';
import { PageTokens } from '../src/services/page-tokens.ts';
import { KEY, seed } from './api-seed.ts';
import { describeShuffled } from './api-requests.ts';
import { machine } from './support.ts';

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '2000' },
    warmup: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '3' },
    append: { type: 'boolean', default: false },
  },
});
const REQUESTS = Number(args.requests);
const WARMUP = Number(args.warmup);
const ROUNDS = Number(args.rounds);
const URL = 'http://127.0.0.1:8080';

/** A load-generator request as the RawRequest the HTTP layer would hand QueryApi. */
function raw(): RawRequest {
  const req = describeShuffled(URL, KEY);
  return {
    method: req.method,
    path: req.path,
    rawQuery: '',
    headers: new Map(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), [v]])),
    body: Buffer.from(req.body ?? ''),
  };
}

const withoutRequestId = (body: Buffer[]) =>
  Buffer.concat(body)
    .toString()
    .replace(/<RequestId>[^<]*<\/RequestId>/, '');

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'phantom-describe-miss-'));
  try {
    const env = { PHANTOM_DATA_DIR: dir, PHANTOM_LOG_LEVEL: 'warn', PHANTOM_CONTROLLER: 'off' };
    await seed(env);
    const config = loadConfig(env);
    const data = await openDataDir(config, systemClock);
    const deps = {
      store: data.store,
      clock: systemClock,
      sites: () => data.sites.names(),
      defaultLimits: config.defaultLimits,
      pageTokens: new PageTokens(data.box.derive('page-tokens')),
      healthCheckAllowHosts: config.healthChecks.allowHosts,
    };
    const authenticator = new Authenticator({ lookup: (id) => data.accounts.secretFor(id), clock: systemClock });
    const api = new QueryApi(
      deps,
      authenticator,
      (id) => data.accounts.userById(id),
      IMPLEMENTED_ACTIONS,
      AWS_ACTIONS,
      pino({ level: 'silent' }),
    );
    const reference = withoutRequestId((await api.handle(raw())).body);
    if ((reference.match(/<InstanceId>/g) ?? []).length !== 100) throw new Error(reference.slice(0, 300));
    const run = async (n: number) => {
      const requests = Array.from({ length: n }, raw);
      const start = process.cpuUsage();
      const answers = [];
      for (const req of requests) answers.push(await api.handle(req));
      const used = process.cpuUsage(start);
      for (const a of answers)
        if (a.status !== 200 || withoutRequestId(a.body) !== reference) throw new Error('answer differs');
      return (used.user + used.system) / n;
    };
    await run(WARMUP);
    const perRound: number[] = [];
    const calibration: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      perRound.push(await run(REQUESTS));
      calibration.push(calibrate());
    }
    await data.close();
    report(perRound, calibration);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * CPU µs of a fixed pure-JS workload (JSON round trips of a Describe-sized object), measured
 * between rounds: how fast the machine ran at the time. Compare miss figures of two runs only
 * with their calibrations: a slower calibration means the miss is inflated by the same contention.
 */
function calibrate(): number {
  const sample = { groups: Array.from({ length: 20 }, (_, g) => ({ name: `g${g}`, instances: [1, 2, 3, 4, 5] })) };
  const start = process.cpuUsage();
  for (let i = 0; i < 100; i++) JSON.parse(JSON.stringify(sample));
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

function report(perRound: number[], calibration: number[]): void {
  const best = Math.min(...perRound);
  const line =
    `Describe miss, in-process CPU per request: **${best.toFixed(0)} µs** (best of ${ROUNDS} rounds of ${REQUESTS}; ` +
    `rounds ${perRound.map((x) => x.toFixed(0)).join(', ')} µs; calibration ${calibration.map((x) => x.toFixed(0)).join(', ')} µs) — ` +
    `${machine()}, ${new Date().toISOString().slice(0, 16)}Z`;
  console.log(line);
  if (args.append) appendFileSync('bench/RESULTS.md', `\n${line}\n`);
}

await main();
