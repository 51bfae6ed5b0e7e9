import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { freePort, PHANTOM_BIN, REPO_ROOT, run } from './process.ts';
import { call, errorCode } from './sign.ts';

/**
 * The "one tenant must not stall the others" scenario, shared by test/e2e/fairness.test.ts
 * (small numbers) and bench/fairness.ts (50,000 instances): user A scales plain groups to
 * its raised instance limit on two embedded sim sites while user B describes its groups and
 * creates a 3-instance domain; the server is stopped with SIGTERM mid-backlog and restarted.
 */

export interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
}

const ADMIN: Keys = { accessKeyId: 'AKIDFAIRNESSADMIN000', secretAccessKey: 'fairness/admin+secret' };

/** A `phantom server` started through bin/phantom.js, as users start it. */
export class FairnessServer {
  child!: ChildProcess;
  url = '';
  /** The end of the server's output. */
  output = '';
  constructor(
    readonly dir: string,
    readonly env: Record<string, string>,
  ) {}

  /** The environment of this server's CLI commands and restarts. */
  static async create(dir: string, extraEnv: Record<string, string>): Promise<FairnessServer> {
    writeFileSync(
      join(dir, 'sites.yaml'),
      'sites:\n  hotel: { driver: sim, bootMs: 0, apiLatencyMs: 0 }\n  sierra: { driver: sim, bootMs: 0, apiLatencyMs: 0 }\n',
    );
    const port = await freePort();
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('PHANTOM_')) env[k] = v;
    return new FairnessServer(dir, {
      ...env,
      PHANTOM_LISTEN: `127.0.0.1:${port}`,
      PHANTOM_METRICS_LISTEN: '127.0.0.1:0',
      PHANTOM_DATA_DIR: join(dir, 'data'),
      PHANTOM_CONFIG: join(dir, 'sites.yaml'),
      PHANTOM_ACCESS_KEY: ADMIN.accessKeyId,
      PHANTOM_SECRET_KEY: ADMIN.secretAccessKey,
      PHANTOM_LOG_LEVEL: 'warn',
      ...extraEnv,
    });
  }

  /** Starts the server; resolves with the ms until a signed call by `keys` (or the admin) answers 200. */
  async start(keys: Keys = ADMIN, timeoutMs = 30_000): Promise<number> {
    const started = performance.now();
    this.child = spawn(PHANTOM_BIN, ['server'], { cwd: REPO_ROOT, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer) => (this.output = (this.output + d.toString()).slice(-20_000));
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    this.url = `http://${this.env.PHANTOM_LISTEN}`;
    for (;;) {
      if (this.child.exitCode !== null) throw new Error(`phantom server exited: ${this.output}`);
      try {
        const response = await call(this.url, keys, { Action: 'DescribeAutoScalingGroups' });
        if (response.status === 200) return performance.now() - started;
      } catch {
        // not listening yet
      }
      if (performance.now() - started > timeoutMs) throw new Error(`phantom server did not serve: ${this.output}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** SIGTERM; resolves with the ms until the process exited, and its exit code. */
  async stop(): Promise<{ ms: number; code: number | null }> {
    const started = performance.now();
    if (this.child.exitCode !== null) return { ms: 0, code: this.child.exitCode };
    const exited = new Promise<number | null>((resolve) => this.child.once('exit', (code) => resolve(code)));
    this.child.kill('SIGTERM');
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    const code = await exited;
    clearTimeout(killer);
    return { ms: performance.now() - started, code };
  }

  /** Runs `phantom ARGS` against this server's data dir. @throws when it fails. */
  async cli(args: string[]): Promise<string> {
    const result = await run(PHANTOM_BIN, args, { env: this.env, timeoutMs: 60_000 });
    if (result.code !== 0) throw new Error(`phantom ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  }

  async addUser(name: string): Promise<Keys> {
    return JSON.parse(await this.cli(['user', 'add', name, '--json'])) as Keys;
  }

  /** A signed call that must succeed; a connection reset is retried once. */
  async must(keys: Keys, params: Record<string, string>): Promise<string> {
    let response;
    try {
      response = await call(this.url, keys, params);
    } catch {
      response = await call(this.url, keys, params);
    }
    if (response.status !== 200)
      throw new Error(`${params.Action}: ${response.status} ${errorCode(response.body)} ${response.body}`);
    return response.body;
  }

  /**
   * Instances of groups whose name starts with `prefix` that Phantom has recorded and not
   * terminated (read from its database, read-only, beside the running server).
   */
  instances(prefix: string): number {
    const file = join(this.env.PHANTOM_DATA_DIR!, 'phantom.db');
    if (!existsSync(file)) return 0;
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const row = db
        .prepare("SELECT count(*) AS n FROM instances WHERE group_name LIKE ? AND lifecycle_state <> 'Terminated'")
        .get(`${prefix}%`) as { n: number };
      return row.n;
    } finally {
      db.close();
    }
  }
}

/** User A's plain groups: `groups` groups named a-NN, alternating hotel and sierra, MaxSize `each`. */
export async function createGroupsOfA(server: FairnessServer, a: Keys, groups: number, each: number): Promise<void> {
  for (const site of ['hotel', 'sierra'])
    await server.must(a, {
      Action: 'CreateLaunchConfiguration',
      LaunchConfigurationName: `web@${site}`,
      ImageId: 'img',
      InstanceType: 'm1.small',
    });
  for (let g = 0; g < groups; g++) {
    const site = g % 2 === 0 ? 'hotel' : 'sierra';
    await server.must(a, {
      Action: 'CreateAutoScalingGroup',
      AutoScalingGroupName: `a-${String(g).padStart(2, '0')}`,
      LaunchConfigurationName: `web@${site}`,
      MinSize: '0',
      MaxSize: String(each),
      DesiredCapacity: '0',
      'AvailabilityZones.member.1': site,
    });
  }
}

/** Sets every group of A to `each` instances. */
export async function scaleA(server: FairnessServer, a: Keys, groups: number, each: number): Promise<void> {
  for (let g = 0; g < groups; g++)
    await server.must(a, {
      Action: 'SetDesiredCapacity',
      AutoScalingGroupName: `a-${String(g).padStart(2, '0')}`,
      DesiredCapacity: String(each),
    });
}

/** B's 3-instance domain on both sites. */
export async function createDomainOfB(server: FairnessServer, b: Keys): Promise<void> {
  await server.must(b, {
    Action: 'CreateLaunchConfiguration',
    LaunchConfigurationName: 'b@hotel',
    ImageId: 'img',
    InstanceType: 'm1.small',
  });
  await server.must(b, {
    Action: 'CreateAutoScalingGroup',
    AutoScalingGroupName: 'b-dom',
    LaunchConfigurationName: 'b@hotel',
    MinSize: '3',
    MaxSize: '3',
    'AvailabilityZones.member.1': 'hotel',
    'Tags.member.1.Key': 'PHANTOM_DEFINITION',
    'Tags.member.1.Value': 'error_overflow_n_preserving',
    'Tags.member.2.Key': 'clouds',
    'Tags.member.2.Value': 'hotel:-1',
  });
}

/** InService instances in a DescribeAutoScalingGroups answer. */
export const inService = (body: string): number => body.split('<LifecycleState>InService</LifecycleState>').length - 1;

/**
 * B's signed DescribeAutoScalingGroups, one after another (`gapMs` apart) until stopped:
 * latencies in ms, and the time B's domain first showed 3 InService instances.
 */
export class DescribeProbe {
  readonly latencies: number[] = [];
  failures = 0;
  private running = false;
  private loop?: Promise<void>;
  threeInServiceAt?: number;

  constructor(
    private readonly server: FairnessServer,
    private readonly keys: Keys,
    private readonly gapMs = 10,
  ) {}

  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        const started = performance.now();
        try {
          const response = await call(this.server.url, this.keys, { Action: 'DescribeAutoScalingGroups' });
          this.latencies.push(performance.now() - started);
          if (response.status !== 200) this.failures++;
          else if (this.threeInServiceAt === undefined && inService(response.body) >= 3)
            this.threeInServiceAt = performance.now();
        } catch {
          this.failures++;
        }
        await new Promise((r) => setTimeout(r, this.gapMs));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}

/** The `q` quantile (0..1) of `values`, or NaN when empty. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}
