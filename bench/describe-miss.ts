/**
 * In-process micro-benchmark of a response-cache miss: QueryApi.handle on a SigV4-signed
 * DescribeAutoScalingGroups of 20 groups × 5 instances (seeded as bench:api seeds), the 20 names
 * in a random order per request so every one misses. Two variants: "warm", the groups unchanged
 * (each group's view is kept in the read memo), and "cold", the same user rewriting one of its
 * groups unchanged before each request (its change stamp moves, so every view is rebuilt from
 * the store; the write is outside the measured time). Measured by this process's CPU time
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
    const owner = (await data.store.getUserByName('bench'))!.id;
    const run = async (n: number, cold: boolean) => {
      const requests = Array.from({ length: n }, raw);
      const answers = [];
      let used = 0;
      for (const req of requests) {
        if (cold) await data.store.updateGroup((await data.store.getGroup(owner, 'domain-00'))!);
        const start = process.cpuUsage();
        answers.push(await api.handle(req));
        const spent = process.cpuUsage(start);
        used += spent.user + spent.system;
      }
      for (const a of answers)
        if (a.status !== 200 || withoutRequestId(a.body) !== reference) throw new Error('answer differs');
      return used / n;
    };
    const results: Record<'warm' | 'cold', number[]> = { warm: [], cold: [] };
    const calibration: number[] = [];
    for (const variant of ['warm', 'cold'] as const) {
      await run(WARMUP, variant === 'cold');
      for (let r = 0; r < ROUNDS; r++) {
        results[variant].push(await run(REQUESTS, variant === 'cold'));
        calibration.push(calibrate());
      }
    }
    await data.close();
    report(results, calibration);
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

function report(results: Record<'warm' | 'cold', number[]>, calibration: number[]): void {
  const figure = (rounds: number[]) =>
    `**${Math.min(...rounds).toFixed(0)} µs** (rounds ${rounds.map((x) => x.toFixed(0)).join(', ')})`;
  const line =
    `Describe miss, in-process CPU per request, best of ${ROUNDS} rounds of ${REQUESTS}: views warm ${figure(results.warm)}, ` +
    `cold (the owner wrote before each) ${figure(results.cold)}; calibration ${calibration.map((x) => x.toFixed(0)).join(', ')} µs — ` +
    `${machine()}, ${new Date().toISOString().slice(0, 16)}Z`;
  console.log(line);
  if (args.append) appendFileSync('bench/RESULTS.md', `\n${line}\n`);
}

await main();
