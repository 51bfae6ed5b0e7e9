/**
 * Controller benchmark: the real `phantom server` on two zero-latency simulated sites with
 * 1,000 Phantom domains × 10 instances. Prints the time of one full routine reconcile pass
 * (target ≤ 200 ms), API write → first launch call latency p99 (target ≤ 100 ms), the server's
 * RSS (controller, API, store and both simulated clouds together; target ≤ 150 MB) and cloud
 * calls per pass. Pass reports and launch calls are read from the server's debug log.
 *
 *   npm run bench:reconcile [-- --domains 1000 --size 10 --passes 10 --writes 200 --check --untuned]
 *
 * The server starts as `phantom server` does, through bin/phantom.js and the memory tuning its
 * shebang carries; --untuned starts it as `node bin/phantom.js server` (Node's defaults) instead.
 * --check exits 1 when a target is missed (CI runs it so).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { call, errorCode } from '../test/support/sign.ts';
import { PHANTOM_BIN, REPO_ROOT } from '../test/support/process.ts';
import { freePort, machine } from './support.ts';

const { values: args } = parseArgs({
  options: {
    domains: { type: 'string', default: '1000' },
    size: { type: 'string', default: '10' },
    passes: { type: 'string', default: '10' },
    writes: { type: 'string', default: '200' },
    check: { type: 'boolean', default: false },
    untuned: { type: 'boolean', default: false },
  },
});
const DOMAINS = Number(args.domains);
const SIZE = Number(args.size);
const PASSES = Number(args.passes);
const WRITES = Math.min(Number(args.writes), DOMAINS);
const INTERVAL_MS = 500;
const TARGET = { passMs: 200, writeP99Ms: 100, rssMb: 150 };
const SITES = 2;
const KEY = { accessKeyId: 'AKIDBENCHRECONCILE00', secretAccessKey: 'bench-reconcile-secret' };

interface PassReport {
  domains: number;
  durationMs: number;
  cloudCalls: { list: number; launch: number; terminate: number };
  memoryMb: { rss: number; heapUsed: number; heapTotal: number };
}

/** The server under test and what its debug log says. */
class Server {
  readonly passes: PassReport[] = [];
  private readonly launchWaiters = new Map<string, (at: number) => void>();
  private readonly passWaiters: Array<(p: PassReport) => void> = [];

  constructor(
    readonly child: ChildProcess,
    readonly url: string,
  ) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      const entry = JSON.parse(line) as { msg?: string; group?: string; at?: number } & PassReport;
      if (entry.msg === 'reconcile pass') {
        this.passes.push(entry);
        for (const waiter of this.passWaiters.splice(0)) waiter(entry);
      } else if (entry.msg === 'launch call' && entry.group !== undefined) {
        this.launchWaiters.get(entry.group)?.(entry.at!);
        this.launchWaiters.delete(entry.group);
      }
    });
  }

  nextPass(): Promise<PassReport> {
    return new Promise((resolve) => this.passWaiters.push(resolve));
  }

  nextLaunchOf(group: string, timeoutMs = 10_000): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no launch call for ${group} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.launchWaiters.set(group, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
  }

  /** Resident set size now and at its peak, in MB (from /proc). */
  rss(): { now: number; peak: number } {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN);
    return { now: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
  }

  /** The server's command line and malloc tuning, as the kernel has them (not as we asked). */
  runtime(): string {
    const argv = readFileSync(`/proc/${this.child.pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const arenas = readFileSync(`/proc/${this.child.pid}/environ`, 'utf8')
      .split('\0')
      .find((v) => v.startsWith('MALLOC_ARENA_MAX='));
    return `\`${argv.map((a) => a.replace(REPO_ROOT + '/', '')).join(' ')}\`${arenas ? ` with ${arenas}` : ''}`;
  }
}

async function startServer(dir: string): Promise<Server> {
  const port = await freePort();
  writeFileSync(
    join(dir, 'sites.yaml'),
    'sites:\n  hotel: { driver: sim, bootMs: 0, apiLatencyMs: 0 }\n  sierra: { driver: sim, bootMs: 0, apiLatencyMs: 0 }\n',
  );
  // Started as users start it (the launcher's shebang carries the memory tuning). BENCH_NODE_ARGS
  // (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") adds node options to profile the server.
  const nodeOptions = process.env.BENCH_NODE_ARGS ? { NODE_OPTIONS: process.env.BENCH_NODE_ARGS } : {};
  const [command, argv] = args.untuned ? [process.execPath, [PHANTOM_BIN, 'server']] : [PHANTOM_BIN, ['server']];
  const child = spawn(command, argv, {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      ...nodeOptions,
      PHANTOM_LISTEN: `127.0.0.1:${port}`,
      PHANTOM_DATA_DIR: join(dir, 'data'),
      PHANTOM_CONFIG: join(dir, 'sites.yaml'),
      PHANTOM_ACCESS_KEY: KEY.accessKeyId,
      PHANTOM_SECRET_KEY: KEY.secretAccessKey,
      PHANTOM_LOG_LEVEL: 'debug',
      PHANTOM_METRICS_LISTEN: '127.0.0.1:0',
      PHANTOM_MAX_INSTANCES: '100000', // 1,000 domains × 10 and the writes' +1s are one user's
      PHANTOM_RECONCILE_INTERVAL_MS: String(INTERVAL_MS),
      PHANTOM_MAX_GROUPS: String(DOMAINS + 10),
    },
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await fetch(url);
      return new Server(child, url);
    } catch {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error('phantom server did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Sends a signed request; a connection reset before any answer (a keep-alive race) is retried once. */
async function must(server: Server, params: Record<string, string>): Promise<void> {
  let response;
  try {
    response = await call(server.url, KEY, params);
  } catch {
    response = await call(server.url, KEY, params);
    if (errorCode(response.body) === 'AlreadyExists') return; // the first attempt did land
  }
  if (response.status !== 200)
    throw new Error(`${params.Action}: ${response.status} ${errorCode(response.body)} ${response.body}`);
}

const domainName = (i: number) => `domain-${String(i).padStart(4, '0')}`;

async function createDomains(server: Server): Promise<void> {
  for (const site of ['hotel', 'sierra'])
    await must(server, {
      Action: 'CreateLaunchConfiguration',
      LaunchConfigurationName: `web@${site}`,
      ImageId: 'hello-cloud',
      InstanceType: 'm1.small',
    });
  let next = 0;
  const worker = async () => {
    while (next < DOMAINS) {
      const name = domainName(next++);
      await must(server, {
        Action: 'CreateAutoScalingGroup',
        AutoScalingGroupName: name,
        LaunchConfigurationName: 'web@hotel',
        MinSize: String(SIZE),
        MaxSize: String(SIZE),
        DesiredCapacity: String(SIZE),
        'AvailabilityZones.member.1': 'hotel',
        'Tags.member.1.Key': 'PHANTOM_DEFINITION',
        'Tags.member.1.Value': 'error_overflow_n_preserving',
        'Tags.member.2.Key': 'clouds',
        'Tags.member.2.Value': `hotel:${Math.ceil(SIZE * 0.6)},sierra:-1`,
        'Tags.member.3.Key': 'minimum_vms',
        'Tags.member.3.Value': String(SIZE),
      });
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
}

/** Waits for a routine pass over every domain that launched and terminated nothing. */
async function converged(server: Server, timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    const pass = await server.nextPass();
    if (pass.domains === DOMAINS && pass.cloudCalls.launch === 0 && pass.cloudCalls.terminate === 0)
      return Date.now() - started;
    if (Date.now() - started > timeoutMs)
      throw new Error(`not converged after ${timeoutMs} ms (last pass ${JSON.stringify(pass)})`);
  }
}

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)]!;
const median = (values: number[]) => percentile(values, 50);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'phantom-bench-reconcile-'));
  const server = await startServer(dir);
  try {
    const createStart = Date.now();
    await createDomains(server);
    const createdMs = Date.now() - createStart;
    const settleMs = await converged(server, 600_000);
    console.log(`created ${DOMAINS} domains × ${SIZE} in ${createdMs} ms; converged ${settleMs} ms later`);

    const steady: PassReport[] = [];
    while (steady.length < PASSES) {
      const pass = await server.nextPass();
      if (pass.domains === DOMAINS) steady.push(pass);
    }
    const rssSteady = server.rss();

    // Writes land at random moments, so some arrive while a routine pass is running.
    const latencies: number[] = [];
    for (let i = 0; i < WRITES; i++) {
      const name = domainName(Math.floor((i * DOMAINS) / WRITES));
      const launched = server.nextLaunchOf(name);
      const sent = Date.now();
      await must(server, {
        Action: 'SetDesiredCapacity',
        AutoScalingGroupName: name,
        DesiredCapacity: String(SIZE + 1),
      });
      latencies.push((await launched) - sent);
      await new Promise((r) => setTimeout(r, Math.random() * 60));
    }
    const rss = server.rss();
    report({
      steady,
      latencies,
      rss: { now: rss.now, peak: rss.peak, steady: rssSteady.now },
      createdMs,
      settleMs,
      runtime: server.runtime(),
    });
  } finally {
    server.child.kill('SIGTERM');
    await new Promise((r) => server.child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(r: {
  steady: PassReport[];
  latencies: number[];
  rss: { now: number; peak: number; steady: number };
  createdMs: number;
  settleMs: number;
  runtime: string;
}): void {
  const durations = r.steady.map((p) => p.durationMs);
  const calls = r.steady.map((p) => p.cloudCalls.list + p.cloudCalls.launch + p.cloudCalls.terminate);
  const passMs = median(durations);
  const p99 = percentile(r.latencies, 99);
  // A quiet pass lists each site once and launches or terminates nothing: 2 calls for 2 sites.
  const ok = {
    pass: passMs <= TARGET.passMs,
    write: p99 <= TARGET.writeP99Ms,
    rss: r.rss.peak <= TARGET.rssMb,
    calls: median(calls) <= SITES,
  };
  const mark = (b: boolean) => (b ? 'met' : '**missed**');
  const lines = [
    '',
    `## Controller: ${DOMAINS} domains × ${SIZE} instances on two zero-latency sim sites — ${new Date().toISOString().slice(0, 10)}`,
    '',
    `Machine: ${machine()}. The real \`phantom server\` (controller, API, SQLite store and both embedded sim clouds in one process), poll interval ${INTERVAL_MS} ms; ${PASSES} steady-state routine passes; ${r.latencies.length} SetDesiredCapacity writes (+1 each) at random moments, timed from sending the write to the server's "launch call" log line. Server process: ${r.runtime}.`,
    '',
    '| measure | result | target |',
    '|---|---|---|',
    `| full reconcile pass (median of ${PASSES}; min–max) | ${passMs.toFixed(1)} ms (${Math.min(...durations).toFixed(1)}–${Math.max(...durations).toFixed(1)}) | ≤ ${TARGET.passMs} ms, ${mark(ok.pass)} |`,
    `| API write → first launch call, p99 (p50; max) | ${p99} ms (${median(r.latencies)}; ${Math.max(...r.latencies)}) | ≤ ${TARGET.writeP99Ms} ms, ${mark(ok.write)} |`,
    `| server RSS peak (steady state; end) | ${r.rss.peak.toFixed(0)} MB (${r.rss.steady.toFixed(0)}; ${r.rss.now.toFixed(0)}) | ≤ ${TARGET.rssMb} MB, ${mark(ok.rss)} |`,
    `| V8 heap used / reserved after the last steady pass | ${r.steady.at(-1)?.memoryMb.heapUsed} MB / ${r.steady.at(-1)?.memoryMb.heapTotal} MB | (informational) |`,
    `| cloud calls per steady pass (list+launch+terminate) | ${median(calls)} (${r.steady[0]?.cloudCalls.list} list) | ≤ ${SITES} (one listing per site), ${mark(ok.calls)} |`,
    '',
    `Initial fill: ${DOMAINS * SIZE} launches; all domains created in ${r.createdMs} ms, converged ${r.settleMs} ms later.`,
    '',
  ];
  console.log(lines.join('\n'));
  appendFileSync(join(REPO_ROOT, 'bench', 'RESULTS.md'), `${lines.join('\n')}`);
  const missed = Object.entries(ok)
    .filter(([, met]) => !met)
    .map(([name]) => name);
  if (args.check && missed.length > 0) {
    console.error(`FAIL: targets missed: ${missed.join(', ')}`);
    process.exitCode = 1;
  }
}

await main();
