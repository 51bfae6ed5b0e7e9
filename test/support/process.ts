import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { AutoScalingClient, type AutoScalingClientConfig } from '@aws-sdk/client-auto-scaling';

/** The repository root (this file is test/support/process.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The `phantom` command's entry point. */
export const PHANTOM_BIN = join(REPO_ROOT, 'bin', 'phantom.js');

/** Debian's interpreter (3.11): the one that sees python3-boto 2.49 and python3-boto3. */
export const PYTHON = '/usr/bin/python3';
/** Debian's aws-cli v2 (the `aws` on PATH may be pyenv's v1). */
export const AWS_CLI = '/usr/bin/aws';

/** An access key pair. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** A user created with `phantom user add NAME --json`. */
export interface ProcessUser extends Credentials {
  user: string;
}

/** How a child process ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The output of a finished command. */
export interface CommandResult extends Exit {
  stdout: string;
  stderr: string;
  /** Wall time in milliseconds. */
  ms: number;
}

/** A `phantom server` child process. */
export interface PhantomProcess {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  host: string;
  port: number;
  dataDir: string;
  /** The pair given through PHANTOM_ACCESS_KEY / PHANTOM_SECRET_KEY (user `admin`). */
  admin: ProcessUser;
  /** The environment the server was started with (for CLI commands against its data dir). */
  env: Record<string, string>;
  /** Everything the server wrote so far. */
  output(): { stdout: string; stderr: string };
  /** The server's process id (started as `bin/phantom.js server`, the way users start it). */
  pid: number;
  /** Runs `phantom ARGS...` with the server's PHANTOM_DATA_DIR. */
  cli(args: string[]): Promise<CommandResult>;
  /** `phantom user add NAME --json`, run as a separate process against the running server's data dir. */
  addUser(name: string): Promise<ProcessUser>;
  /** A JS SDK client for `creds` against this server (no retries, so errors surface at once). */
  sdk(creds: Credentials, extra?: Partial<AutoScalingClientConfig>): AutoScalingClient;
  /** SIGTERM, then waits for the exit (SIGKILL after 10 s); removes the data dir. */
  stop(): Promise<Exit>;
}

/** A port that was free a moment ago (listen on 0, read it, close). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePort(port));
    });
  });
}

/** Collects a stream's text, keeping at most the last `limit` characters. */
function collector(limit = 2_000_000): { push(chunk: Buffer): void; text(): string } {
  let text = '';
  return {
    push(chunk) {
      text += chunk.toString('utf8');
      if (text.length > limit) text = text.slice(text.length - limit);
    },
    text: () => text,
  };
}

/**
 * Runs a command to completion. Never rejects for a non-zero exit; rejects only when the
 * command cannot be started or exceeds `timeoutMs` (it is then killed).
 */
export function run(
  command: string,
  args: readonly string[],
  opts: { env?: Record<string, string>; input?: string; timeoutMs?: number; cwd?: string } = {},
): Promise<CommandResult> {
  const started = Date.now();
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, {
      env: opts.env ?? (process.env as Record<string, string>),
      cwd: opts.cwd ?? REPO_ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out = collector();
    const err = collector();
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `${command} ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout: ${out.text()}\nstderr: ${err.text()}`,
        ),
      );
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (process.env.PHANTOM_E2E_TRACE === '1')
        process.stderr.write(`[e2e] ${Date.now() - started} ms exit ${code} ${command} ${args.join(' ')}\n`);
      resolveRun({ code, signal, stdout: out.text(), stderr: err.text(), ms: Date.now() - started });
    });
    child.stdin.on('error', () => {}); // a child that exits before reading its input
    child.stdin.end(opts.input ?? '');
  });
}

function waitForExit(child: ChildProcess): Promise<Exit> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolveExit) => child.once('exit', (code, signal) => resolveExit({ code, signal })));
}

/** Resolves once `url` answers HTTP at all (any status); rejects when `deadline` passes or `abort` fires. */
async function waitForHttp(url: string, deadline: number, exited: Promise<Exit>): Promise<void> {
  let done: Exit | undefined;
  exited.then((e) => (done = e)).catch(() => undefined); // waitForExit never rejects
  for (;;) {
    if (done) throw new Error(`phantom server exited before answering (code ${done.code}, signal ${done.signal})`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`phantom server did not answer HTTP at ${url} within the start timeout`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The environment for the `phantom` command: no inherited PHANTOM_* settings, only ours. */
function phantomEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('PHANTOM_')) env[k] = v;
  return { ...env, ...extra };
}

const TEST_ADMIN: Credentials = { accessKeyId: 'AKIDPHANTOME2EADMIN1', secretAccessKey: 'e2e/admin+secret=with/chars' };

/**
 * Starts the real `phantom server` (`node bin/phantom.js server`) on a free 127.0.0.1 port
 * with a fresh data dir and the admin pair in PHANTOM_ACCESS_KEY/PHANTOM_SECRET_KEY, and waits
 * (at most `startTimeoutMs`, default 15 s) until it answers HTTP. On failure the error carries
 * the server's output.
 */
export async function startPhantom(
  opts: { env?: Record<string, string>; startTimeoutMs?: number } = {},
): Promise<PhantomProcess> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const dataDir = mkdtempSync(join(tmpdir(), 'phantom-e2e-'));
    const port = await freePort();
    const env = phantomEnv({
      PHANTOM_LISTEN: `127.0.0.1:${port}`,
      PHANTOM_DATA_DIR: dataDir,
      PHANTOM_ACCESS_KEY: TEST_ADMIN.accessKeyId,
      PHANTOM_SECRET_KEY: TEST_ADMIN.secretAccessKey,
      PHANTOM_LOG_LEVEL: 'warn',
      // Tests run side by side: none takes the default metrics port (a test turns it on).
      PHANTOM_METRICS_LISTEN: 'off',
      ...opts.env,
    });
    const child = spawn(PHANTOM_BIN, ['server'], { env, cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = collector();
    const err = collector();
    child.stdout!.on('data', (c: Buffer) => out.push(c));
    child.stderr!.on('data', (c: Buffer) => err.push(c));
    const exited = waitForExit(child);
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitForHttp(url, Date.now() + (opts.startTimeoutMs ?? 15_000), exited);
    } catch (e) {
      child.kill('SIGKILL');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
      lastError = new Error(
        `${(e as Error).message}\n--- server stderr ---\n${err.text()}\n--- server stdout ---\n${out.text()}`,
      );
      if (/EADDRINUSE/.test(err.text() + out.text())) continue; // the free port was taken meanwhile
      throw lastError;
    }
    const cli = (args: string[]) => run(PHANTOM_BIN, args, { env, timeoutMs: 30_000 });
    return {
      url,
      host: '127.0.0.1',
      port,
      dataDir,
      admin: { user: 'admin', ...TEST_ADMIN },
      env,
      output: () => ({ stdout: out.text(), stderr: err.text() }),
      pid: child.pid!,
      cli,
      async addUser(name) {
        const result = await cli(['user', 'add', name, '--json']);
        if (result.code !== 0)
          throw new Error(`phantom user add ${name} --json exited ${result.code}: ${result.stderr}${result.stdout}`);
        const parsed = JSON.parse(result.stdout) as unknown;
        if (!isProcessUser(parsed) || parsed.user !== name)
          throw new Error(`phantom user add ${name} --json printed ${result.stdout}`);
        return { user: parsed.user, accessKeyId: parsed.accessKeyId, secretAccessKey: parsed.secretAccessKey };
      },
      sdk(creds, extra = {}) {
        return new AutoScalingClient({
          endpoint: url,
          region: 'us-east-1',
          credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
          maxAttempts: 1,
          ...extra,
        });
      },
      async stop() {
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.kill('SIGTERM');
        const exit = await exited;
        clearTimeout(timer);
        rmSync(dataDir, { recursive: true, force: true });
        return exit;
      },
    };
  }
  throw lastError;
}

function isProcessUser(v: unknown): v is ProcessUser {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.user === 'string' &&
    typeof o.accessKeyId === 'string' &&
    typeof o.secretAccessKey === 'string' &&
    o.accessKeyId.length > 0 &&
    o.secretAccessKey.length > 0
  );
}

// ---------------------------------------------------------------------------------------------
// Real clients: availability probes, requireClient, and a clean environment for them.
// ---------------------------------------------------------------------------------------------

/** `true` when available, otherwise why not. */
export type Availability = true | string;

const probeCache = new Map<string, Availability>();
function probe(key: string, fn: () => Availability): Availability {
  if (!probeCache.has(key)) probeCache.set(key, fn());
  return probeCache.get(key)!;
}

function pythonImports(module: string): Availability {
  if (!existsSync(PYTHON)) return `${PYTHON} does not exist (apt-get install python3)`;
  const r = spawnSync(PYTHON, ['-c', `import ${module}`], {
    encoding: 'utf8',
    env: { PATH: '/usr/bin:/bin', HOME: tmpdir() },
    timeout: 30_000,
  });
  return r.status === 0
    ? true
    : `${PYTHON} cannot import ${module}: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`;
}

/** Debian's python3-boto (boto 2.49) under /usr/bin/python3. */
export const boto2Available = (): Availability => probe('boto2', () => pythonImports('boto.ec2.autoscale'));
/** Debian's python3-boto3 under /usr/bin/python3. */
export const boto3Available = (): Availability => probe('boto3', () => pythonImports('boto3'));
/** Debian's aws-cli v2 at /usr/bin/aws. */
export const awsCliAvailable = (): Availability =>
  probe('awscli', () => {
    if (!existsSync(AWS_CLI)) return `${AWS_CLI} does not exist (apt-get install awscli)`;
    const r = spawnSync(AWS_CLI, ['--version'], {
      encoding: 'utf8',
      env: { PATH: '/usr/bin:/bin', HOME: tmpdir() },
      timeout: 30_000,
    });
    const version = `${r.stdout}${r.stderr}`.trim();
    return r.status === 0 && /^aws-cli\/2\./.test(version)
      ? true
      : `${AWS_CLI} is not a working aws-cli v2: ${version || r.error?.message}`;
  });
/** The `faketime` command (Debian package faketime). */
export const faketimePath = (): string | undefined =>
  ['/usr/bin/faketime', '/usr/local/bin/faketime'].find((p) => existsSync(p));

const announced = new Set<string>();

/**
 * Test options for a test that needs the client `name`. Available: no options. Missing: the
 * test is skipped with a message saying why — unless PHANTOM_REQUIRE_CLIENTS=1, in which case
 * a failing test `<name> is installed` is registered (once per name and file) and the
 * dependent tests are skipped, so the run fails with the reason.
 */
export function requireClient(name: string, available: Availability): { skip?: string } {
  if (available === true) return {};
  const required = process.env.PHANTOM_REQUIRE_CLIENTS === '1';
  if (required && !announced.has(name)) {
    announced.add(name);
    test(`${name} is installed (PHANTOM_REQUIRE_CLIENTS=1)`, () => {
      throw new Error(`${name} is required but not available: ${available}`);
    });
  }
  return {
    skip: `${name} not available (${available})${required ? '' : '; set PHANTOM_REQUIRE_CLIENTS=1 to make this a failure'}`,
  };
}

/** A scratch directory removed by the returned function. */
export function scratchDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A clean environment for the Python clients and aws-cli: no inherited AWS_ or BOTO_ or proxy
 * settings, HOME and every config file pointed at an empty scratch directory, so the
 * machine's ~/.aws, ~/.boto and /etc/boto.cfg cannot interfere.
 */
export function clientEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  const boto = join(home, 'boto.cfg');
  const awsConfig = join(home, 'aws-config');
  const awsCredentials = join(home, 'aws-credentials');
  for (const f of [boto, awsConfig, awsCredentials]) if (!existsSync(f)) writeFileSync(f, '');
  return {
    PATH: '/usr/bin:/bin',
    HOME: home,
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONIOENCODING: 'utf-8',
    BOTO_CONFIG: boto,
    BOTO_PATH: boto,
    AWS_CONFIG_FILE: awsConfig,
    AWS_SHARED_CREDENTIALS_FILE: awsCredentials,
    AWS_PAGER: '',
    AWS_EC2_METADATA_DISABLED: 'true',
    NO_PROXY: '*',
    no_proxy: '*',
    ...extra,
  };
}

/** Where the test scripts live (test/e2e/scripts). */
export const SCRIPTS_DIR = join(REPO_ROOT, 'test', 'e2e', 'scripts');

/**
 * Prefix and env that run a Python client (or /usr/bin/aws, a Python program) with its clock
 * `offsetMinutes` off, through Debian's faketime (check `faketimeAvailable` first).
 * @throws Error when faketime is not installed.
 */
export function skewedClock(offsetMinutes: number): { prefix: string[]; env: Record<string, string>; how: string } {
  const faketime = faketimePath();
  if (!faketime) throw new Error('faketime is not installed (apt-get install faketime)');
  const spec = `${offsetMinutes >= 0 ? '+' : ''}${offsetMinutes}m`;
  // Only the wall clock moves: a monotonic clock shifted before boot confuses the runtime.
  return { prefix: [faketime, '-f', spec], env: { FAKETIME_DONT_FAKE_MONOTONIC: '1' }, how: `faketime -f ${spec}` };
}

/** Debian's faketime, which the clock-skew tests run the Python clients and aws-cli under. */
export const faketimeAvailable = (): Availability =>
  faketimePath() ? true : 'faketime is not installed (apt-get install faketime)';

/** The pyenv interpreter with a boto3 whose CloudWatch client speaks JSON, or why there is none. */
export function pyenvBoto3(): { python?: string; available: Availability } {
  const r = spawnSync(
    'python3',
    [
      '-c',
      'import sys, boto3; c = boto3.client("cloudwatch", region_name="us-east-1"); print(sys.executable, c.meta.service_model.resolved_protocol)',
    ],
    { encoding: 'utf8', timeout: 30_000, env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true' } },
  );
  const [python, protocol] = (r.stdout ?? '').trim().split(' ');
  if (r.status !== 0 || !python)
    return { available: `python3 (pyenv) cannot import boto3: ${(r.stderr ?? '').trim().split('\n').pop()}` };
  if (protocol !== 'json') return { available: `boto3 under ${python} speaks ${protocol} to CloudWatch, not json` };
  return { python, available: true };
}
