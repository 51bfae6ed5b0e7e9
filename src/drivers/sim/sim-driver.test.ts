import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixedClock } from '../../contracts/clock.ts';
import { CloudError, type LaunchRequest } from '../../contracts/cloud.ts';
import { driverContract } from '../driver.case.ts';
import { openSimCloud } from './open.ts';
import { LIST_CHUNK } from './sim-driver.ts';
import { SAVE_CHUNK, saveSimSnapshot, saveSimSnapshotInPieces } from './persist.ts';
import { seededRandom } from '../../lib/random.ts';
import { simPrivateAddress, simPublicAddress } from './record.ts';
import { simHarness } from './sim-harness.ts';
import { eventually } from '../../../test/support/eventually.ts';

const dir = mkdtempSync(join(tmpdir(), 'phantom-sim-'));
after(() => rmSync(dir, { recursive: true, force: true }));

driverContract('sim (in memory)', async () => simHarness());
driverContract('sim (state file, restarted between steps)', async () =>
  simHarness({ file: join(dir, `${randomUUID()}.json`) }),
);

const live = (): AbortSignal => new AbortController().signal;
const req = (token: string, tags: Record<string, string> = { owner: 'alice' }): LaunchRequest => ({
  clientToken: token,
  imageId: 'ami-1',
  instanceType: 'm1.small',
  tags,
});

describe('sim persistence', () => {
  it('instances, states, tokens and addresses outlive a reopen; ids keep coming fresh', async () => {
    const file = join(dir, 'persist.json');
    const clock = new FixedClock();
    const first = openSimCloud({ site: 'hotel', file, clock, random: seededRandom(7), knobs: { bootMs: 1000 } });
    const a = await first.driver.launch(req('t-a'), live());
    const b = await first.driver.launch(req('t-b'), live());
    clock.advance(1000);
    await first.driver.terminate([b.id], live());

    const second = openSimCloud({ site: 'hotel', file, clock, random: seededRandom(99), knobs: { bootMs: 1000 } });
    const listed = await second.driver.listInstances({ tags: {} }, live());
    assert.deepEqual(
      listed.map((i) => [i.id, i.state]),
      [
        [a.id, 'running'],
        [b.id, 'terminated'],
      ],
    );
    assert.equal(listed[0]?.privateAddress, simPrivateAddress('hotel', 0));
    assert.equal(listed[0]?.publicAddress, simPublicAddress('hotel', 0));
    assert.equal((await second.driver.launch(req('t-a'), live())).id, a.id, 'the token is remembered');
    const c = await second.driver.launch(req('t-c'), live());
    assert.ok(![a.id, b.id].includes(c.id));
    assert.match(c.id, /^i-[0-9a-f]{17}$/);
    assert.equal((await second.driver.listInstances({ tags: {} }, live())).length, 3);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.startsWith('persist.json.')),
      [],
      'no temp file left behind',
    );
  });

  it('listed tags are frozen, for launched and for reloaded instances alike', async () => {
    const file = join(dir, 'frozen.json');
    const first = openSimCloud({ site: 'hotel', file, clock: new FixedClock(), random: seededRandom(1) });
    const launched = await first.driver.launch(req('t-f'), live());
    assert.ok(Object.isFrozen(launched.tags));
    const second = openSimCloud({ site: 'hotel', file, clock: new FixedClock(), random: seededRandom(1) });
    const [reloaded] = await second.driver.listInstances({ tags: {} }, live());
    assert.ok(reloaded && Object.isFrozen(reloaded.tags));
    assert.throws(() => {
      (reloaded.tags as Record<string, string>).owner = 'mallory';
    }, TypeError);
  });

  it('a launch is on disk before its response is returned', async () => {
    const file = join(dir, 'ondisk.json');
    const cloud = openSimCloud({ site: 'hotel', file, clock: new FixedClock(), random: seededRandom(1) });
    const launched = await cloud.driver.launch(req('t-1'), live());
    const saved: unknown = JSON.parse(readFileSync(file, 'utf8'));
    assert.ok(typeof saved === 'object' && saved !== null && 'instances' in saved && Array.isArray(saved.instances));
    assert.deepEqual(
      saved.instances.map((i: { id: string }) => i.id),
      [launched.id],
    );
  });

  it('with saveDelayMs, writes at most once per window and flushes the rest at its end', async () => {
    const file = join(dir, 'coalesced.json');
    const cloud = openSimCloud({
      site: 'hotel',
      file,
      clock: new FixedClock(),
      random: seededRandom(1),
      saveDelayMs: 200,
    });
    const onDisk = () => (JSON.parse(readFileSync(file, 'utf8')) as { instances: unknown[] }).instances.length;
    await cloud.driver.launch(req('c-1'), live());
    await eventually('the first change after a quiet window is written at once (in pieces)', async () =>
      onDisk() === 1 ? true : undefined,
    );
    await cloud.driver.launch(req('c-2'), live());
    await cloud.driver.launch(req('c-3'), live());
    assert.equal(onDisk(), 1, 'changes inside the window wait');
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(onDisk(), 3, 'and are written together at its end');
  });

  it('with saveDelayMs, a synchronous flush during a piecewise write is what stays on disk', async () => {
    const file = join(dir, 'flush-wins.json');
    const cloud = openSimCloud({
      site: 'hotel',
      file,
      clock: new FixedClock(),
      random: seededRandom(2),
      saveDelayMs: 50,
    });
    await new Promise((r) => setTimeout(r, 100)); // past the window of the write at open: the launch is written at once
    const before = process.listenerCount('exit');
    const launched = await cloud.driver.launch(req('f-1'), live());
    assert.equal(process.listenerCount('exit'), before + 1, 'the launch is being written');
    assert.ok(cloud.kill(launched.id), 'killed while the launch is being written');
    const saved = () => (JSON.parse(readFileSync(file, 'utf8')) as { instances: Array<{ state: string }> }).instances;
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(
      saved().map((i) => i.state),
      ['terminated'],
    );
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.startsWith('flush-wins.json.')),
      [],
      'no temp file left',
    );
    assert.equal(process.listenerCount('exit'), before, 'nothing left to write at exit');
  });

  it('with saveDelayMs, many sites waiting to write share one exit listener', async () => {
    const before = process.listenerCount('exit');
    const clouds = Array.from({ length: 12 }, (_, i) =>
      openSimCloud({
        site: `s${i}`,
        file: join(dir, `many-${i}.json`),
        clock: new FixedClock(),
        random: seededRandom(i),
        saveDelayMs: 100,
      }),
    );
    for (const cloud of clouds) {
      await cloud.driver.launch(req('m-1'), live());
      await cloud.driver.launch(req('m-2'), live());
    }
    assert.equal(process.listenerCount('exit'), before + 1, `one listener for all twelve pending writes (${before})`);
    // A slow write (a loaded machine) widens the coalescing window, so wait for it, bounded.
    await eventually('the shared exit listener removed once nothing is pending', async () =>
      process.listenerCount('exit') === before ? true : undefined,
    );
    for (let i = 0; i < 12; i++)
      assert.equal(
        (JSON.parse(readFileSync(join(dir, `many-${i}.json`), 'utf8')) as { instances: unknown[] }).instances.length,
        2,
      );
  });

  it('with saveDelayMs, pending changes are written when the process exits', () => {
    const file = join(dir, 'exit-flush.json');
    const script = join(dir, 'exit-flush.mts');
    writeFileSync(
      script,
      [
        `import { openSimCloud } from ${JSON.stringify(new URL('./open.ts', import.meta.url).pathname)};`,
        `import { FixedClock } from ${JSON.stringify(new URL('../../contracts/clock.ts', import.meta.url).pathname)};`,
        `const cloud = openSimCloud({ site: 'hotel', file: ${JSON.stringify(file)}, clock: new FixedClock(), random: Math.random, saveDelayMs: 60_000 });`,
        `const tags = { owner: 'alice' };`,
        `for (const t of ['x-1', 'x-2', 'x-3']) await cloud.driver.launch({ clientToken: t, imageId: 'ami-1', instanceType: 'm1.small', tags }, new AbortController().signal);`,
      ].join('\n'),
    );
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.equal((JSON.parse(readFileSync(file, 'utf8')) as { instances: unknown[] }).instances.length, 3);
  });

  it('refuses a corrupt file and another site’s file, leaving them as they were', () => {
    const corrupt = join(dir, 'corrupt.json');
    writeFileSync(corrupt, '{"version":1,');
    assert.throws(
      () => openSimCloud({ site: 'hotel', file: corrupt, clock: new FixedClock(), random: seededRandom(1) }),
      /not valid JSON/,
    );
    assert.equal(readFileSync(corrupt, 'utf8'), '{"version":1,');
    const hotel = join(dir, 'hotel.json');
    openSimCloud({ site: 'hotel', file: hotel, clock: new FixedClock(), random: seededRandom(1) });
    assert.ok(existsSync(hotel));
    assert.throws(
      () => openSimCloud({ site: 'sierra', file: hotel, clock: new FixedClock(), random: seededRandom(1) }),
      /for site 'hotel'/,
    );
  });

  it('a failing save surfaces as CloudError transient and is retried by the next call', async () => {
    const file = join(dir, 'blocked.json');
    const cloud = openSimCloud({ site: 'hotel', file, clock: new FixedClock(), random: seededRandom(1) });
    rmSync(file);
    mkdirSync(join(file, 'occupied'), { recursive: true });
    await assert.rejects(
      cloud.driver.launch(req('t-1'), live()),
      (e) => e instanceof CloudError && e.kind === 'transient',
    );
    rmSync(file, { recursive: true });
    const listed = await cloud.driver.listInstances({ tags: {} }, live());
    assert.equal(listed.length, 1, 'the launch happened in the cloud');
    const reopened = openSimCloud({ site: 'hotel', file, clock: new FixedClock(), random: seededRandom(1) });
    assert.deepEqual(
      reopened.state.list({}, 0).map((r) => r.id),
      [listed[0]?.id],
      'and reached the disk on the next call',
    );
  });
});

describe('sim listing of a large site', () => {
  it('lists what the state lists, a chunk at a time with a turn of the event loop between', async () => {
    const clock = new FixedClock();
    const cloud = openSimCloud({ site: 'hotel', clock, random: seededRandom(3), knobs: { bootMs: 0 } });
    const count = 2 * LIST_CHUNK + 500;
    for (let i = 0; i < count; i++)
      await cloud.driver.launch(req(`big-${i}`, { owner: i % 3 ? 'alice' : 'bob' }), live());
    let turns = 0;
    let ticking = true;
    const tick = (): void => {
      turns++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const listed = await cloud.driver.listInstances({ tags: {} }, live()).finally(() => (ticking = false));
    assert.ok(turns >= 2, `the event loop turned ${turns} times during the listing`);
    assert.deepEqual(
      listed.map((i) => [i.id, i.state]),
      cloud.state.list({}, clock.now().getTime()).map((r) => [r.id, r.state]),
    );
    assert.equal(listed.length, count);
    const alice = await cloud.driver.listInstances({ tags: { owner: 'alice' } }, live());
    assert.deepEqual(
      alice.map((i) => i.id),
      cloud.state.list({ owner: 'alice' }, clock.now().getTime()).map((r) => r.id),
    );
    assert.ok(alice.length > 0 && alice.every((i) => i.tags.owner === 'alice'));
  });

  it('stops with the signal’s reason when aborted between chunks', async () => {
    const cloud = openSimCloud({ site: 'hotel', clock: new FixedClock(), random: seededRandom(4) });
    for (let i = 0; i < LIST_CHUNK + 1; i++) await cloud.driver.launch(req(`ab-${i}`), live());
    const controller = new AbortController();
    const listing = cloud.driver.listInstances({ tags: {} }, controller.signal);
    setImmediate(() => controller.abort(new Error('stop')));
    await assert.rejects(listing, /stop/);
  });
});

describe('saveSimSnapshotInPieces', () => {
  const snapshotOf = async (count: number) => {
    const cloud = openSimCloud({ site: 'hotel', clock: new FixedClock(), random: seededRandom(5) });
    for (let i = 0; i < count; i++) await cloud.driver.launch(req(`p-${i}`), live());
    return cloud.state.snapshotView();
  };

  it('writes exactly what saveSimSnapshot writes, for an empty and a many-piece state', async () => {
    for (const count of [0, SAVE_CHUNK * 2 + 1]) {
      const snapshot = await snapshotOf(count);
      const file = join(dir, `pieces-${count}.json`);
      const result = await saveSimSnapshotInPieces(file, `${file}.tmp`, snapshot, () => true);
      assert.equal(result.saved, true);
      assert.ok(result.busyMs >= 0);
      const once = join(dir, `once-${count}.json`);
      saveSimSnapshot(once, snapshot);
      assert.equal(readFileSync(file, 'utf8'), readFileSync(once, 'utf8'));
      assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), JSON.parse(JSON.stringify(snapshot)));
      assert.equal(existsSync(`${file}.tmp`), false);
    }
  });

  it('leaves the file as it was, and no temp file, when no longer wanted at the end', async () => {
    const file = join(dir, 'pieces-unwanted.json');
    writeFileSync(file, 'before');
    const result = await saveSimSnapshotInPieces(file, `${file}.tmp`, await snapshotOf(3), () => false);
    assert.equal(result.saved, false);
    assert.equal(readFileSync(file, 'utf8'), 'before');
    assert.equal(existsSync(`${file}.tmp`), false);
  });
});
