import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { CloudError, type LaunchRequest } from '../../contracts/cloud.ts';
import { driverContract } from '../driver.case.ts';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ec2ClientConfig } from './ec2-client.ts';
import { Ec2Driver } from './ec2-driver.ts';
import { ec2SimHarness } from './ec2-sim-harness.ts';

const live = (): AbortSignal => new AbortController().signal;

// ── The contract suite over phantom sim-cloud (the EC2 Query API server in src/sim-cloud) ──
driverContract('ec2 over sim-cloud', () => ec2SimHarness());

// ── Against moto, an independent EC2 implementation ──
const required = process.env.PHANTOM_REQUIRE_CLIENTS === '1';
const hasMoto = spawnSync('sh', ['-c', 'command -v moto_server'], { encoding: 'utf8' }).status === 0;
const MOTO_IMAGE = 'ami-12c6146b';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}`);
    try {
      await fetch(`${url}/moto-api/`);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`moto_server did not answer within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

const motoSkip =
  hasMoto || required ? false : 'moto_server is not on PATH (set PHANTOM_REQUIRE_CLIENTS=1 to make this a failure)';

describe('Ec2Driver against moto', { skip: motoSkip }, () => {
  let moto: ChildProcess | undefined;
  let url = '';
  const driver = (extra: Partial<ConstructorParameters<typeof Ec2Driver>[0]> = {}): Ec2Driver =>
    new Ec2Driver({
      site: 'moto',
      endpoint: url,
      region: 'us-east-1',
      requestTimeoutMs: 5_000,
      credentials: { accessKeyId: 'AKIDMOTO', secretAccessKey: 'moto-secret' },
      ...extra,
    });
  const request = (run: string, extra: Partial<LaunchRequest> = {}): LaunchRequest => ({
    clientToken: randomUUID(),
    imageId: MOTO_IMAGE,
    instanceType: 't2.micro',
    ...extra,
    tags: { 'phantom:run': run, ...extra.tags },
  });

  before(async () => {
    if (!hasMoto) throw new Error('moto_server is not on PATH and PHANTOM_REQUIRE_CLIENTS=1');
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const started = Date.now();
    moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    await waitUntilUp(url, moto, 20_000);
    console.log(`moto_server answered after ${Date.now() - started} ms`);
  });
  after(() => {
    moto?.kill('SIGTERM');
  });

  it('launch with tags → pending with those tags; listed by tag filter; running with an address', async () => {
    const run = randomUUID();
    const d = driver();
    const a = await d.launch(request(run, { tags: { owner: 'alice' } }), live());
    const b = await d.launch(request(run, { tags: { owner: 'bob' } }), live());
    assert.match(a.id, /^i-/);
    assert.deepEqual(a.tags, { 'phantom:run': run, owner: 'alice' }, 'the client-token tag is hidden');
    assert.equal(a.imageId, MOTO_IMAGE);
    assert.equal(a.instanceType, 't2.micro');
    const alice = await d.listInstances({ tags: { 'phantom:run': run, owner: 'alice' } }, live());
    assert.deepEqual(
      alice.map((i) => i.id),
      [a.id],
    );
    assert.equal(alice[0]?.state, 'running');
    assert.ok(alice[0]?.privateAddress, 'a running instance has an address');
    const all = await d.listInstances({ tags: { 'phantom:run': run } }, live());
    assert.deepEqual(all.map((i) => i.id).sort(), [a.id, b.id].sort());
    assert.deepEqual(await d.listInstances({ tags: { 'phantom:run': run, owner: 'carol' } }, live()), []);
  });

  it('relaunch with the same client token → the same instance (found by tag: moto ignores ClientToken)', async () => {
    const run = randomUUID();
    const req = request(run);
    const first = await driver().launch(req, live());
    const again = await driver().launch(req, live());
    assert.equal(again.id, first.id);
    assert.equal(again.clientToken, req.clientToken);
    const other = await driver().launch(request(run), live());
    assert.notEqual(other.id, first.id);
    assert.equal((await driver().listInstances({ tags: { 'phantom:run': run } }, live())).length, 2);
  });

  it('the site key name is the default; the request’s wins', async () => {
    const run = randomUUID();
    const d = driver({ keyName: 'site-key' });
    const a = await d.launch(request(run), live());
    const b = await d.launch(request(run, { keyName: 'own-key' }), live());
    const client = new EC2Client(
      ec2ClientConfig({
        site: 'moto',
        endpoint: url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      }),
    );
    const out = await client.send(new DescribeInstancesCommand({ InstanceIds: [a.id, b.id] }));
    const keys = new Map(
      (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => [i.InstanceId, i.KeyName]),
    );
    assert.equal(keys.get(a.id), 'site-key');
    assert.equal(keys.get(b.id), 'own-key');
  });

  it('terminate → terminated; again, with unknown and malformed ids, still succeeds; others untouched', async () => {
    const run = randomUUID();
    const d = driver();
    const victim = await d.launch(request(run), live());
    const keep = await d.launch(request(run), live());
    await d.terminate([victim.id], live());
    await d.terminate([victim.id, 'i-0000000000000000f', 'bogus'], live());
    await d.terminate(['i-0000000000000000e'], live());
    await d.terminate([], live());
    const byId = new Map((await d.listInstances({ tags: { 'phantom:run': run } }, live())).map((i) => [i.id, i.state]));
    assert.ok(
      ['terminated', 'terminating'].includes(byId.get(victim.id) ?? ''),
      `victim is ${String(byId.get(victim.id))}`,
    );
    assert.equal(byId.get(keep.id), 'running');
  });

  it('moto accepts unknown images, so an image is what the caller says it is', async () => {
    const launched = await driver().launch(request(randomUUID(), { imageId: 'ami-00000000deadbeef' }), live());
    assert.equal(launched.imageId, 'ami-00000000deadbeef');
  });

  it('a pre-aborted signal rejects with its reason and launches nothing', async () => {
    const run = randomUUID();
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await assert.rejects(driver().launch(request(run), controller.signal), (e) => e === reason);
    await assert.rejects(driver().listInstances({ tags: {} }, controller.signal), (e) => e === reason);
    assert.deepEqual(await driver().listInstances({ tags: { 'phantom:run': run } }, live()), []);
  });
});

describe('Ec2Driver on an unreachable endpoint', () => {
  it('every call fails with a retryable transient CloudError', async () => {
    const port = await freePort();
    const d = new Ec2Driver({
      site: 'nowhere',
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      requestTimeoutMs: 1_000,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    const transient = (e: unknown): boolean =>
      e instanceof CloudError && e.kind === 'transient' && e.retryable && /ECONNREFUSED/.test(e.providerMessage);
    await assert.rejects(d.listInstances({ tags: { a: 'b' } }, live()), transient);
    await assert.rejects(
      d.launch({ clientToken: 't', imageId: 'ami-1', instanceType: 'm1.small', tags: {} }, live()),
      transient,
    );
    await assert.rejects(d.terminate(['i-1'], live()), transient);
  });
});
