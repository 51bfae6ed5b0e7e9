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

/** Runs the load generator (autocannon) against one target with one fixed request. */
export async function load(
  url: string,
  req: { method: string; path: string; headers: Record<string, string>; body: string },
  seconds: number,
  connections: number,
  serverPid?: number,
): Promise<{ rps: number; p99: number; errors: number; non2xx: number; cpuPerRequest?: number }> {
  const cpu0 = cpuMicros(serverPid);
  const result = await autocannon({
    url: `${url}${req.path}`,
    method: req.method as 'POST',
    headers: req.headers,
    body: req.body,
    duration: seconds,
    connections,
  });
  const cpu1 = cpuMicros(serverPid);
  const cpuPerRequest =
    cpu0 !== undefined && cpu1 !== undefined && result.requests.total > 0
      ? (cpu1 - cpu0) / result.requests.total
      : undefined;
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
    cpuPerRequest,
  };
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
