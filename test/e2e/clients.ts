/**
 * Runners for the real clients the e2e tests drive: the boto 2 sample scripts
 * (test/e2e/scripts), inline boto3 programs and /usr/bin/aws, all under Debian's Python 3.11
 * with a clean environment (see clientEnv in test/support/process.ts).
 */
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import {
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  type AutoScalingClient,
} from '@aws-sdk/client-auto-scaling';
import {
  AWS_CLI,
  PYTHON,
  SCRIPTS_DIR,
  clientEnv,
  run,
  scratchDir,
  skewedClock,
  startPhantom,
  type CommandResult,
  type Credentials,
  type PhantomProcess,
} from '../support/process.ts';

/** Where a client sends its requests and with which key pair. */
export interface Target {
  url: string;
  creds: Credentials;
  /** Run the client with its clock this many minutes off (under faketime). */
  skewMinutes?: number;
}

/** A scratch HOME shared by the client runs of one test file. */
export interface ClientHome {
  dir: string;
}

function skew(target: Target): { prefix: string[]; env: Record<string, string> } {
  return target.skewMinutes ? skewedClock(target.skewMinutes) : { prefix: [], env: {} };
}

async function runWith(
  prefix: string[],
  command: string,
  args: string[],
  env: Record<string, string>,
  input?: string,
): Promise<CommandResult> {
  const [head, ...rest] = [...prefix, command, ...args];
  return run(head!, rest, { env, input, timeoutMs: 120_000 });
}

// ---------------------------------------------------------------------------------------------
// boto 2 sample scripts
// ---------------------------------------------------------------------------------------------

/** Runs `test/e2e/scripts/<script> ARGS` with EC2_ACCESS_KEY/EC2_SECRET_KEY/PHANTOM_URL set. */
export async function boto2Script(
  home: ClientHome,
  target: Target,
  sigv2: boolean,
  script: string,
  args: string[] = [],
): Promise<CommandResult> {
  const s = skew(target);
  const env = clientEnv(home.dir, {
    EC2_ACCESS_KEY: target.creds.accessKeyId,
    EC2_SECRET_KEY: target.creds.secretAccessKey,
    PHANTOM_URL: target.url,
    ...(sigv2 ? { PHANTOM_BOTO_SIGV2: '1' } : {}),
    ...s.env,
  });
  return runWith(s.prefix, PYTHON, [join(SCRIPTS_DIR, script), ...args], env);
}

/** A boto 2 BotoServerError as the scripts print it: `BotoServerError: <status> <code>: <message>`. */
export interface Boto2Error {
  status: number;
  code: string;
  message: string;
}

/** Parses the scripts' error line; fails the test when stderr holds anything else. */
export function boto2Error(result: CommandResult): Boto2Error {
  assert.equal(result.code, 1, `expected exit 1, got ${result.code}; stdout=${result.stdout} stderr=${result.stderr}`);
  const m = /^BotoServerError: (\d{3}) (\S+): (.*)\n$/.exec(result.stderr);
  assert.ok(m, `stderr is not one BotoServerError line: ${JSON.stringify(result.stderr)}`);
  return { status: Number(m[1]), code: m[2]!, message: m[3]! };
}

/** Asserts a script succeeded with exactly `stdout` and nothing on stderr. */
export function assertScriptOutput(result: CommandResult, stdout: string, what: string): void {
  assert.deepEqual(
    { code: result.code, stderr: result.stderr, stdout: result.stdout },
    { code: 0, stderr: '', stdout },
    `${what}: unexpected exit/output`,
  );
}

// ---------------------------------------------------------------------------------------------
// boto3 inline programs
// ---------------------------------------------------------------------------------------------

/**
 * The prelude of every inline boto3 program: a client for PHANTOM_URL with one attempt per
 * call, SigV2 when PHANTOM_SIGV2=1, and helpers `call(op, **kw)` → {"ok": response} or
 * {"error": {...}} and `err(e)` describing a ClientError. The program fills `out`, which is
 * printed as JSON at the end.
 */
const BOTO3_PRELUDE = `
import base64, json, os, sys
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

_cfg = {'retries': {'total_max_attempts': 1}}
if os.environ.get('PHANTOM_SIGV2') == '1':
    _cfg['signature_version'] = 'v2'
client = boto3.client('autoscaling', endpoint_url=os.environ['PHANTOM_URL'], region_name='us-east-1',
                      aws_access_key_id=os.environ['PHANTOM_KEY_ID'], aws_secret_access_key=os.environ['PHANTOM_SECRET'],
                      config=Config(**_cfg))

def err(e):
    cls = type(e)
    return {
        'class': cls.__name__,
        'modeled': getattr(client.exceptions, cls.__name__, None) is cls and cls is not ClientError,
        'clientError': isinstance(e, ClientError),
        'code': e.response.get('Error', {}).get('Code'),
        'type': e.response.get('Error', {}).get('Type'),
        'message': e.response.get('Error', {}).get('Message'),
        'status': e.response.get('ResponseMetadata', {}).get('HTTPStatusCode'),
        'requestId': e.response.get('ResponseMetadata', {}).get('RequestId'),
    }

def ok(r):
    meta = r.pop('ResponseMetadata', {})
    r['$meta'] = {'status': meta.get('HTTPStatusCode'), 'requestId': meta.get('RequestId')}
    return r

def call(op, **kw):
    try:
        return {'ok': ok(getattr(client, op)(**kw))}
    except ClientError as e:
        return {'error': err(e)}

out = {}
`;

/** What `err(e)` reports about a botocore ClientError. */
export interface Boto3Error {
  class: string;
  modeled: boolean;
  clientError: boolean;
  code: string;
  type: string;
  message: string;
  status: number;
  requestId: string;
}

/** `call(...)`'s result. */
export type Boto3Call<T> =
  | { ok: T & { $meta: { status: number; requestId: string } }; error?: undefined }
  | { error: Boto3Error; ok?: undefined };

/**
 * Runs an inline boto3 program (`body` after the prelude) and returns its parsed `out`.
 * Fails the test when the program does not exit 0 with exactly one JSON line.
 */
export async function boto3Program<T>(home: ClientHome, target: Target, sigv2: boolean, body: string): Promise<T> {
  const s = skew(target);
  const env = clientEnv(home.dir, {
    PHANTOM_URL: target.url,
    PHANTOM_KEY_ID: target.creds.accessKeyId,
    PHANTOM_SECRET: target.creds.secretAccessKey,
    ...(sigv2 ? { PHANTOM_SIGV2: '1' } : {}),
    ...s.env,
  });
  const program = `${BOTO3_PRELUDE}\n${body}\nprint(json.dumps(out, default=str))\n`;
  const result = await runWith(s.prefix, PYTHON, ['-'], env, program);
  assert.equal(result.code, 0, `boto3 program failed (exit ${result.code}):\n${result.stderr}\n${result.stdout}`);
  assert.equal(result.stderr, '', 'boto3 program wrote to stderr');
  return JSON.parse(result.stdout) as T;
}

/** Unwraps a successful boto3 call, failing the test with the error otherwise. */
export function boto3Ok<T>(
  step: string,
  r: Boto3Call<T> | undefined,
): T & { $meta: { status: number; requestId: string } } {
  assert.ok(r, `${step}: no result`);
  assert.equal(r.error, undefined, `${step} failed: ${JSON.stringify(r.error)}`);
  return r.ok!;
}

/** Unwraps a failed boto3 call, failing the test when it succeeded. */
export function boto3Err(step: string, r: Boto3Call<unknown> | undefined): Boto3Error {
  assert.ok(r, `${step}: no result`);
  assert.ok(r.error, `${step} succeeded but should have failed: ${JSON.stringify(r.ok)}`);
  return r.error;
}

/** A Python expression for `value` (decoded from JSON, so any string survives unchanged). */
export const py = (value: unknown): string => `json.loads(${JSON.stringify(JSON.stringify(value))})`;

// ---------------------------------------------------------------------------------------------
// aws-cli v2
// ---------------------------------------------------------------------------------------------

/** The result of `/usr/bin/aws autoscaling ...`. */
export interface AwsResult extends CommandResult {
  /** stdout parsed as JSON when the call succeeded and printed something. */
  json?: unknown;
}

/** Runs `/usr/bin/aws autoscaling ARGS --endpoint-url URL --output json` with env credentials. */
export async function awsCli(home: ClientHome, target: Target, args: string[]): Promise<AwsResult> {
  const s = skew(target);
  const env = clientEnv(home.dir, {
    AWS_ACCESS_KEY_ID: target.creds.accessKeyId,
    AWS_SECRET_ACCESS_KEY: target.creds.secretAccessKey,
    AWS_DEFAULT_REGION: 'us-east-1',
    ...s.env,
  });
  const result = await runWith(
    s.prefix,
    AWS_CLI,
    ['autoscaling', ...args, '--endpoint-url', target.url, '--output', 'json'],
    env,
  );
  const json = result.code === 0 && result.stdout.trim() !== '' ? (JSON.parse(result.stdout) as unknown) : undefined;
  return { ...result, json };
}

/** Asserts an aws-cli call succeeded and returns its JSON output (undefined when it printed nothing). */
export function awsOk<T>(step: string, r: AwsResult): T {
  assert.equal(r.code, 0, `${step}: aws exited ${r.code}: ${r.stderr}`);
  return r.json as T;
}

/** An aws-cli service error: rc 254 and `An error occurred (<code>) when calling the <op> operation: <message>`. */
export function awsError(step: string, r: AwsResult, operation: string): { code: string; message: string } {
  assert.equal(r.code, 254, `${step}: expected exit 254, got ${r.code}; stdout=${r.stdout} stderr=${r.stderr}`);
  const m = /^\s*An error occurred \((\w+)\) when calling the (\w+) operation: (.*)\n$/.exec(r.stderr);
  assert.ok(m, `${step}: unexpected stderr ${JSON.stringify(r.stderr)}`);
  assert.equal(m[2], operation, `${step}: operation named in the error`);
  assert.equal(r.stdout, '', `${step}: stdout of a failed call`);
  return { code: m[1]!, message: m[3]! };
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

/** Runs at most `n` of the returned function's tasks at a time. */
export function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: Array<() => void> = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((resolve) => queue.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

/** The 36-hex-digit (with dashes) shape of a request id. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** User data with characters that need escaping in every encoding layer. */
export const USER_DATA = '#!/bin/sh\necho "hello from phantom" & echo $((1+2)) > /tmp/out # ünïcödé +/=\n';
export const USER_DATA_B64 = Buffer.from(USER_DATA, 'utf8').toString('base64');

/** Names pg-000 … pg-(n-1), already in sort order. */
export const pageGroupNames = (n: number): string[] =>
  Array.from({ length: n }, (_, i) => `pg-${String(i).padStart(3, '0')}`);

/**
 * Creates the launch configuration `pager-lc` and `n` plain groups (min = max = 0, so nothing
 * is ever launched) through the JS SDK, 10 requests at a time; returns their names in order.
 */
export async function createPlainGroups(client: AutoScalingClient, n: number): Promise<string[]> {
  await client.send(
    new CreateLaunchConfigurationCommand({
      LaunchConfigurationName: 'pager-lc',
      ImageId: 'hello-cloud',
      InstanceType: 'm1.small',
    }),
  );
  const names = pageGroupNames(n);
  const limit = limiter(10);
  await Promise.all(
    names.map((name) =>
      limit(() =>
        client.send(
          new CreateAutoScalingGroupCommand({
            AutoScalingGroupName: name,
            LaunchConfigurationName: 'pager-lc',
            MinSize: 0,
            MaxSize: 0,
            AvailabilityZones: ['us-east-1a'],
          }),
        ),
      ),
    ),
  );
  return names;
}

/** Stops a server started in `before` (if it started) and asserts it exited cleanly on SIGTERM. */
export async function stopServer(server: PhantomProcess | undefined): Promise<void> {
  if (!server) return;
  const exit = await server.stop();
  assert.deepEqual(
    exit,
    { code: 0, signal: null },
    `phantom server did not exit cleanly on SIGTERM: ${JSON.stringify(server.output())}`,
  );
}

/**
 * Registers before/after hooks in the current describe: a `phantom server` child process and
 * a scratch client home, both removed afterwards (the server must exit cleanly). Read
 * `fixture.server` inside tests, once `before` has run.
 */
export function serverWithClientHome(prefix: string): { readonly server: PhantomProcess; readonly home: ClientHome } {
  let server: PhantomProcess | undefined;
  const home: ClientHome = { dir: '' };
  let removeHome: () => void = () => {};
  before(async () => {
    server = await startPhantom();
    const scratch = scratchDir(prefix);
    home.dir = scratch.dir;
    removeHome = scratch.remove;
  });
  after(async () => {
    removeHome();
    await stopServer(server);
  });
  return {
    get server(): PhantomProcess {
      if (!server) throw new Error('the server starts in before()');
      return server;
    },
    home,
  };
}
