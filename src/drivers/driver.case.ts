import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { CloudError, type CloudDriver, type CloudInstance, type LaunchRequest } from '../contracts/cloud.ts';

/** What the driver contract suite needs from a driver under test and the cloud behind it. */
export interface DriverHarness {
  /** Required. The driver under test; read it afresh after `restart()`. */
  readonly driver: CloudDriver;
  /** Required. Lets enough (fake) time pass that every pending instance is running. */
  settle(): Promise<void>;
  /** Required. From now on the cloud holds at most `n` pending/running instances in total. */
  setCapacity(n: number): Promise<void>;
  /** Required. The next launch is carried out by the cloud but its response is lost (the call fails). */
  loseNextLaunchResponse(): Promise<void>;
  /** Required. The instance dies out of band, as a host failure would kill it. */
  killInstance(id: string): Promise<void>;
  /** Required. The launch request the cloud stored for `id` (user data, key name), or undefined. */
  inspect(id: string): Promise<LaunchRequest | undefined>;
  /** Optional. Replaces `driver` with a fresh one on the same cloud (a Phantom restart); the cloud keeps its instances. */
  restart?(): Promise<void>;
  /** Required. Releases everything the harness opened. */
  close(): Promise<void>;
}

const live = (): AbortSignal => new AbortController().signal;

/** A request with tags unique to this test run, so a shared cloud's other instances never match. */
function request(run: string, extra: Partial<LaunchRequest> = {}): LaunchRequest {
  return {
    clientToken: randomUUID(),
    imageId: 'ami-0123456789abcdef0',
    instanceType: 'm1.small',
    ...extra,
    tags: { 'phantom:run': run, ...extra.tags },
  };
}

const ids = (instances: CloudInstance[]): string[] => instances.map((i) => i.id).sort();

async function withHarness(
  setup: () => Promise<DriverHarness>,
  body: (h: DriverHarness, run: string) => Promise<void>,
): Promise<void> {
  const h = await setup();
  try {
    await body(h, randomUUID());
  } finally {
    await h.close();
  }
}

async function listRun(h: DriverHarness, run: string, tags: Record<string, string> = {}): Promise<CloudInstance[]> {
  return h.driver.listInstances({ tags: { 'phantom:run': run, ...tags } }, live());
}

const isKind =
  (kind: CloudError['kind']) =>
  (e: unknown): boolean =>
    e instanceof CloudError && e.kind === kind;

/**
 * The CloudDriver contract suite (DESIGN.md §4, §5, §7): registers node:test cases every
 * driver must pass. `setup` must return a harness on a cloud where this test's tags match
 * nothing yet; each case closes its harness. Cases check the state of the cloud, not calls.
 */
export function driverContract(name: string, setup: () => Promise<DriverHarness>): void {
  describe(`CloudDriver contract: ${name}`, () => {
    it('launch returns a pending instance with the request’s tags, image and type; it runs with an address after settle', () =>
      withHarness(setup, async (h, run) => {
        const req = request(run, { tags: { 'phantom:domain': 'd1' } });
        const launched = await h.driver.launch(req, live());
        assert.match(launched.id, /\S/);
        assert.equal(launched.state, 'pending');
        assert.deepEqual(launched.tags, req.tags);
        assert.equal(launched.imageId, req.imageId);
        assert.equal(launched.instanceType, req.instanceType);
        await h.restart?.();
        await h.settle();
        const [seen, ...more] = await listRun(h, run);
        assert.equal(more.length, 0);
        assert.equal(seen?.id, launched.id);
        assert.equal(seen?.state, 'running');
        assert.ok(seen?.privateAddress ?? seen?.publicAddress, 'a running instance has an address');
      }));

    it('keeps user data and key name with the instance', () =>
      withHarness(setup, async (h, run) => {
        const req = request(run, {
          keyName: 'ops-key',
          userData: Buffer.from('#!/bin/sh\necho hi\n').toString('base64'),
        });
        const launched = await h.driver.launch(req, live());
        const stored = await h.inspect(launched.id);
        assert.equal(stored?.userData, req.userData);
        assert.equal(stored?.keyName, 'ops-key');
        assert.equal(stored?.clientToken, req.clientToken);
      }));

    it('lists exactly the instances carrying all filter tags', () =>
      withHarness(setup, async (h, run) => {
        const a = await h.driver.launch(request(run, { tags: { owner: 'alice', domain: 'd1' } }), live());
        const b = await h.driver.launch(request(run, { tags: { owner: 'alice', domain: 'd2' } }), live());
        const c = await h.driver.launch(request(run, { tags: { owner: 'bob', domain: 'd1' } }), live());
        await h.restart?.();
        assert.deepEqual(ids(await listRun(h, run)), [a.id, b.id, c.id].sort());
        assert.deepEqual(ids(await listRun(h, run, { owner: 'alice' })), [a.id, b.id].sort());
        assert.deepEqual(ids(await listRun(h, run, { owner: 'alice', domain: 'd1' })), [a.id]);
        assert.deepEqual(ids(await listRun(h, run, { domain: 'd1' })), [a.id, c.id].sort());
        assert.deepEqual(ids(await listRun(h, run, { owner: 'carol' })), []);
        assert.deepEqual(ids(await listRun(h, run, { owner: 'alice', domain: 'd3' })), []);
      }));

    it('launch is idempotent on the client token', () =>
      withHarness(setup, async (h, run) => {
        const req = request(run);
        const first = await h.driver.launch(req, live());
        await h.restart?.();
        const again = await h.driver.launch(req, live());
        assert.equal(again.id, first.id);
        assert.deepEqual(ids(await listRun(h, run)), [first.id]);
        const other = await h.driver.launch(request(run), live());
        assert.notEqual(other.id, first.id);
        assert.equal((await listRun(h, run)).length, 2);
      }));

    it('a retry after a lost launch response returns the instance the first call created', () =>
      withHarness(setup, async (h, run) => {
        const req = request(run);
        await h.loseNextLaunchResponse();
        await assert.rejects(h.driver.launch(req, live()));
        await h.restart?.();
        const created = await listRun(h, run);
        assert.equal(created.length, 1, 'the lost launch did create the instance');
        const retry = await h.driver.launch(req, live());
        assert.equal(retry.id, created[0]?.id);
        assert.deepEqual(ids(await listRun(h, run)), [retry.id]);
      }));

    it('capacity exhausted → CloudError capacity and nothing created; a known token still answers', () =>
      withHarness(setup, async (h, run) => {
        await h.setCapacity(1);
        const req = request(run);
        const first = await h.driver.launch(req, live());
        await assert.rejects(h.driver.launch(request(run), live()), isKind('capacity'));
        assert.deepEqual(ids(await listRun(h, run)), [first.id]);
        assert.equal((await h.driver.launch(req, live())).id, first.id);
        await h.driver.terminate([first.id], live());
        const next = await h.driver.launch(request(run), live());
        assert.equal(next.state, 'pending', 'terminating frees capacity');
      }));

    it('terminate is idempotent: terminated stays terminated, unknown ids succeed, others untouched', () =>
      withHarness(setup, async (h, run) => {
        const a = await h.driver.launch(request(run), live());
        const b = await h.driver.launch(request(run), live());
        const pending = await h.driver.launch(request(run), live());
        await h.settle();
        const pendingNow = await h.driver.launch(request(run), live());
        await h.driver.terminate([a.id, pendingNow.id], live());
        await h.restart?.();
        await h.driver.terminate([a.id], live());
        await h.driver.terminate(['i-0000000000000000f'], live());
        await h.driver.terminate([], live());
        const byId = new Map((await listRun(h, run)).map((i) => [i.id, i.state]));
        for (const gone of [a.id, pendingNow.id])
          assert.ok([undefined, 'terminated'].includes(byId.get(gone)), `${gone} ended`);
        assert.equal(byId.get(b.id), 'running');
        assert.equal(byId.get(pending.id), 'running');
        await h.settle();
        const after = new Map((await listRun(h, run)).map((i) => [i.id, i.state]));
        assert.ok([undefined, 'terminated'].includes(after.get(a.id)), 'a terminated instance never comes back');
      }));

    it('an instance killed out of band is reported terminated (or absent)', () =>
      withHarness(setup, async (h, run) => {
        const victim = await h.driver.launch(request(run), live());
        const survivor = await h.driver.launch(request(run), live());
        await h.settle();
        await h.killInstance(victim.id);
        await h.restart?.();
        const byId = new Map((await listRun(h, run)).map((i) => [i.id, i.state]));
        assert.ok([undefined, 'terminated'].includes(byId.get(victim.id)), `victim is ${String(byId.get(victim.id))}`);
        assert.equal(byId.get(survivor.id), 'running');
      }));

    it('a pre-aborted signal rejects every call and changes nothing', () =>
      withHarness(setup, async (h, run) => {
        const keep = await h.driver.launch(request(run), live());
        const controller = new AbortController();
        const reason = new Error('caller gave up');
        controller.abort(reason);
        const aborted = (e: unknown): boolean => e === reason || (e instanceof Error && e.name === 'AbortError');
        await assert.rejects(h.driver.launch(request(run), controller.signal), aborted);
        await assert.rejects(h.driver.terminate([keep.id], controller.signal), aborted);
        await assert.rejects(h.driver.listInstances({ tags: { 'phantom:run': run } }, controller.signal), aborted);
        const after = await listRun(h, run);
        assert.deepEqual(ids(after), [keep.id]);
        assert.ok(
          after[0]?.state === 'pending' || after[0]?.state === 'running',
          `kept instance is ${String(after[0]?.state)}`,
        );
      }));
  });
}
