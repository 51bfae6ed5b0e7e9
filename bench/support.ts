import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, totalmem, type } from 'node:os';
import autocannon from 'autocannon';

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/**
 * CPU placement on a 2-core machine: the load generator (this process) on core 0, the server
 * under test on core 1, so every target gets the same whole core and nothing migrates between
 * windows. Without it the ratio swung between 0.5 and 0.9 from run to run.
 */
export const LOAD_CORE = process.env.BENCH_LOAD_CORE ?? '0';
export const SERVER_CORE = process.env.BENCH_SERVER_CORE ?? '1';

/** Pins this process (the load generator) to LOAD_CORE when taskset exists. */
export function pinSelf(): boolean {
  const r = spawnSync('taskset', ['-cp', LOAD_CORE, String(process.pid)], { stdio: 'ignore' });
  return r.status === 0;
}

/** Starts a child process (pinned to SERVER_CORE when taskset exists) and resolves once `url` answers HTTP. */
export async function startChild(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  url: string,
): Promise<ChildProcess> {
  const pinned = spawnSync('taskset', ['-c', SERVER_CORE, 'true']).status === 0;
  const child = pinned
    ? spawn('taskset', ['-c', SERVER_CORE, command, ...args], {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      })
    : spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${command} exited: ${stderr}`);
    try {
      await fetch(url);
      return child;
    } catch {
      if (Date.now() > deadline) throw new Error(`${command} did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export const stopChild = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });

/** One request as the load generator sends it. */
export interface LoadRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** What one load window measured. */
export interface LoadResult {
  rps: number;
  requests: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** Server CPU (user + system) per request, µs; undefined off Linux. */
  cpuPerRequest?: number;
  /** The load generator's own CPU per request, µs (this process, signing included). */
  generatorCpuPerRequest: number;
  /** The load generator's CPU time over the window's wall time: near 1, it was the bottleneck. */
  generatorBusy: number;
  /**
   * Share of the whole machine's CPU that other processes used during the window (other agents
   * and builds share this machine: a window they crowd says little about either server).
   */
  foreignShare?: number;
}

/**
 * Runs the load generator (autocannon, in this process) against one target for `seconds`:
 * one fixed request replayed, or `fresh()` called for every request (e.g. signed anew).
 */
export async function load(
  url: string,
  req: LoadRequest | { fresh: () => LoadRequest },
  seconds: number,
  connections: number,
  serverPid?: number,
): Promise<LoadResult> {
  const cpu0 = cpuMicros(serverPid);
  const machine0 = machineCpu();
  const self0 = process.cpuUsage();
  const wall0 = performance.now();
  const fixed = 'fresh' in req ? req.fresh() : req;
  const result = await autocannon({
    url: `${url}${fixed.path}`,
    method: fixed.method as 'POST',
    headers: fixed.headers,
    body: fixed.body,
    duration: seconds,
    connections,
    ...('fresh' in req ? { requests: [{ setupRequest: () => req.fresh() as never }] } : {}),
  });
  const self = process.cpuUsage(self0);
  const wallMicros = (performance.now() - wall0) * 1000;
  const cpu1 = cpuMicros(serverPid);
  const machine1 = machineCpu();
  const total = Math.max(1, result.requests.total);
  const server = cpu0 !== undefined && cpu1 !== undefined ? cpu1 - cpu0 : undefined;
  const foreignShare =
    machine0 && machine1 && server !== undefined && machine1.total > machine0.total
      ? Math.max(
          0,
          (machine1.busy - machine0.busy - server - self.user - self.system) / (machine1.total - machine0.total),
        )
      : undefined;
  return {
    rps: result.requests.average,
    requests: result.requests.total,
    p99: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
    cpuPerRequest: server === undefined ? undefined : server / total,
    generatorCpuPerRequest: (self.user + self.system) / total,
    generatorBusy: (self.user + self.system) / wallMicros,
    foreignShare,
  };
}

/** Whole-machine CPU time (µs, all cores): busy and total, from /proc/stat; undefined elsewhere. */
function machineCpu(): { busy: number; total: number } | undefined {
  try {
    const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    const idle = ticks[3]! + ticks[4]!; // idle + iowait
    const total = ticks.reduce((a, b) => a + b, 0);
    return { busy: (total - idle) * 10_000, total: total * 10_000 }; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/** CPU time (user + system, µs) a process has used so far, from /proc; undefined elsewhere. */
export function cpuMicros(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * (1_000_000 / 100); // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

export const machine = () =>
  `${type()} ${cpus().length}×${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
