import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixedClock } from '../../contracts/clock.ts';
import { seededRandom } from '../../lib/random.ts';
import { openSimCloud, openSimCloudInPieces } from './open.ts';
import { loadSimSnapshot, readSimSnapshotInPieces, saveSimSnapshot, saveSimSnapshotInPieces } from './persist.ts';
import type { SimInstanceRecord, SimSnapshot } from './record.ts';

const dir = mkdtempSync(join(tmpdir(), 'phantom-sim-persist-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const live = (): AbortSignal => new AbortController().signal;

/** A snapshot of `count` instances of site hotel, as a sim makes them. */
async function snapshotOf(count: number): Promise<SimSnapshot> {
  const cloud = openSimCloud({ site: 'hotel', clock: new FixedClock(), random: seededRandom(3), knobs: { bootMs: 0 } });
  for (let i = 0; i < count; i++)
    await cloud.driver.launch(
      { clientToken: `t-${i}`, imageId: 'ami-1', instanceType: 'm1.small', tags: { owner: 'alice', n: String(i) } },
      live(),
    );
  return cloud.state.snapshotView();
}

/** Every piece `readSimSnapshotInPieces` yields, and how often the event loop turned while they were read. */
async function readPieces(file: string, site = 'hotel', chunk = 2) {
  const read = await readSimSnapshotInPieces(file, site, chunk);
  assert.ok(read, 'the file exists');
  let turns = 0;
  let ticking = true;
  const tick = () => {
    turns++;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  const pieces: SimInstanceRecord[][] = [];
  try {
    for await (const piece of read.pieces) pieces.push(piece);
  } finally {
    ticking = false;
  }
  return { head: read.head, pieces, turns };
}

const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('sim state file: one JSON document laid out one instance per line', () => {
  it('is written the same by both savers, read the same by both loaders, one piece of lines at a time', async () => {
    const snapshot = await snapshotOf(5);
    const file = join(dir, 'lines.json');
    saveSimSnapshot(file, snapshot);
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n');
    assert.equal(lines.length, 8, 'head, 5 instances, closing line, and the final newline');
    assert.match(lines[0]!, /"instances":\[$/);
    assert.equal(lines[6], ']}');
    assert.deepEqual(JSON.parse(text), plain(snapshot), 'still one JSON document');
    await saveSimSnapshotInPieces(file, `${file}.tmp`, snapshot, () => true);
    assert.equal(readFileSync(file, 'utf8'), text);

    assert.deepEqual(plain(loadSimSnapshot(file, 'hotel')), plain(snapshot));
    const { head, pieces, turns } = await readPieces(file);
    assert.deepEqual(
      pieces.map((p) => p.length),
      [2, 2, 1],
    );
    assert.ok(turns >= 2, `the event loop turned between pieces (${turns} turns)`);
    assert.deepEqual(plain({ ...head, instances: pieces.flat() }), plain(snapshot));
  });

  it('reads an empty state', async () => {
    const file = join(dir, 'empty.json');
    saveSimSnapshot(file, await snapshotOf(0));
    const { head, pieces } = await readPieces(file);
    assert.equal(head.site, 'hotel');
    assert.deepEqual(pieces.flat(), []);
  });

  it('reads the older one-line layout (parsed at once, checked in pieces)', async () => {
    const snapshot = await snapshotOf(3);
    const file = join(dir, 'one-line.json');
    writeFileSync(file, JSON.stringify(snapshot));
    assert.deepEqual(plain(loadSimSnapshot(file, 'hotel')), plain(snapshot));
    const { head, pieces } = await readPieces(file);
    assert.deepEqual(
      pieces.map((p) => p.length),
      [2, 1],
    );
    assert.deepEqual(plain({ ...head, instances: pieces.flat() }), plain(snapshot));
    const cloud = await openSimCloudInPieces({ site: 'hotel', file, clock: new FixedClock(), random: seededRandom(1) });
    assert.equal((await cloud.driver.listInstances({ tags: { owner: 'alice' } }, live())).length, 3);
  });

  it('refuses a file torn at any byte (a crash never leaves one: writes rename a finished temp file)', async () => {
    const whole = join(dir, 'whole.json');
    saveSimSnapshot(whole, await snapshotOf(3));
    const full = { text: readFileSync(whole, 'utf8') };
    const torn = join(dir, 'torn.json');
    // Without its final newline the file is still whole.
    for (let length = 1; length < full.text.length - 1; length++) {
      writeFileSync(torn, full.text.slice(0, length));
      assert.throws(() => loadSimSnapshot(torn, 'hotel'), /torn\.json/, `sync, cut at ${length}`);
      await assert.rejects(
        async () => readPieces(torn),
        (e: Error) => e.message.includes('torn.json'),
        `in pieces, cut at ${length}`,
      );
    }
  });

  it('refuses text after the closing line, a record after the last one, and a record that is not one', async () => {
    const file = join(dir, 'bad.json');
    saveSimSnapshot(file, await snapshotOf(2));
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n');
    const cases: Array<[string, RegExp]> = [
      [`${text}]}\n`, /line 5: .*torn \(text after the closing line\)/],
      [[lines[0], lines[1], lines[2], lines[2], ...lines.slice(3)].join('\n'), /line 4: .*a record after the last one/],
      [[lines[0], '{"id":"i-nope"},', ...lines.slice(2)].join('\n'), /line 2: not a sim instance record/],
      [[lines[0], '{"id":', ...lines.slice(2)].join('\n'), /line 2 of sim state is not valid JSON/],
    ];
    for (const [content, message] of cases) {
      writeFileSync(file, content);
      await assert.rejects(async () => readPieces(file), message);
    }
  });

  it('opens in pieces: continues from the file, refuses another site’s or a corrupt one and leaves it as it was', async () => {
    const file = join(dir, 'open.json');
    const first = openSimCloud({ site: 'hotel', file, clock: new FixedClock(), random: seededRandom(2) });
    const launched = await first.driver.launch(
      { clientToken: 'keep', imageId: 'ami-1', instanceType: 'm1.small', tags: { owner: 'bob' } },
      live(),
    );
    const again = await openSimCloudInPieces({ site: 'hotel', file, clock: new FixedClock(), random: seededRandom(9) });
    const listed = await again.driver.listInstances({ tags: { owner: 'bob' } }, live());
    assert.deepEqual(
      listed.map((i) => i.id),
      [launched.id],
    );
    const before = readFileSync(file, 'utf8');
    await assert.rejects(
      openSimCloudInPieces({ site: 'sierra', file, clock: new FixedClock(), random: seededRandom(1) }),
      /for site 'hotel', not 'sierra'/,
    );
    writeFileSync(file, before.slice(0, -5));
    await assert.rejects(
      openSimCloudInPieces({ site: 'hotel', file, clock: new FixedClock(), random: seededRandom(1) }),
      /open\.json: line \d+: sim state is torn/,
    );
    assert.equal(readFileSync(file, 'utf8'), before.slice(0, -5));
    const fresh = await openSimCloudInPieces({
      site: 'hotel',
      file: join(dir, 'absent', 'new.json'),
      clock: new FixedClock(),
      random: seededRandom(1),
    });
    assert.equal(fresh.state.liveCount(), 0);
  });
});
