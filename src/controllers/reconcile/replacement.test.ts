import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CheckedInstance } from '../../domain/health-check.ts';
import type { HealthChecks } from '../health/http-prober.ts';
import { testWorld, type TestWorld } from './testkit.ts';

/** Health checks decided by the test: an instance fails while `failing(id)` says so. */
class ScriptedChecks implements HealthChecks {
  private readonly passed = new Set<string>();
  constructor(public failing: (id: string) => boolean) {}
  verdict(_owner: string, _group: string, _check: unknown, instance: CheckedInstance): string | undefined {
    if (this.failing(instance.id)) return `GET http://127.0.0.1/health/${instance.id} answered 500`;
    this.passed.add(instance.id);
    return undefined;
  }
  passedOnce(id: string): boolean {
    return this.passed.has(id);
  }
  forget(id: string): void {
    this.passed.delete(id);
  }
}

const CHECKED = { health_check_url: 'http://{address}/health/{instance_id}', health_check_failures: '1' };

async function checkedWorld(failing: (id: string) => boolean): Promise<TestWorld> {
  const w = await testWorld({ clouds: 'hotel:-1', sites: ['hotel'], desired: 2, tags: CHECKED });
  w.deps.health = new ScriptedChecks(failing);
  return w;
}

/** Runs a pass every second for `seconds` simulated seconds. */
async function runFor(w: TestWorld, seconds: number): Promise<void> {
  for (let s = 0; s < seconds; s++) {
    await w.pass();
    w.clock.advance(1000);
  }
}

/** Instances the cloud ever started (ended ones stay listed for an hour). */
const launches = (w: TestWorld) => w.sims.hotel!.state.list({}, w.clock.now().getTime()).length;

describe('reconciler: replacing instances that never passed their health check backs off per group', () => {
  it('a check that always fails: launches grow with the log of time, not linearly', async () => {
    const w = await checkedWorld(() => true);
    const at: Record<number, number> = {};
    let elapsed = 0;
    for (const minute of [1, 2, 4, 8]) {
      await runFor(w, minute * 60 - elapsed);
      elapsed = minute * 60;
      at[minute] = launches(w);
    }
    // 2 instances replaced after 0, 10, 20, 40, 80, 160, 300 s of backoff: one round (2 launches) per doubling.
    assert.ok(at[8]! <= 16, `${at[8]} launches in 8 minutes (one per pass would be ~960)`);
    assert.ok(at[2]! - at[1]! <= 2 && at[4]! - at[2]! <= 2 && at[8]! - at[4]! <= 4, JSON.stringify(at));
    assert.equal(w.running().hotel, 2, 'the group keeps its size meanwhile');
    const held = w.events.filter((e) => e.kind === 'replacement-backoff');
    assert.deepEqual(
      held.slice(0, 4).map((e) => (e.until!.getTime() - Date.parse('2026-11-25T12:00:00Z')) / 1000),
      [11, 31, 71, 151],
      'each replacement round backs the next off twice as long',
    );
    const terminations = (await w.activities()).filter((a) => a.description.startsWith('Terminating'));
    assert.match(
      terminations.at(-1)!.cause ?? '',
      /answered 500\)\. It never passed its health check, so the next replacement of such an instance waits until 2026-11-25T12:\d\d:\d\d\.000Z\.$/,
    );
  });

  it('a healthy group is unaffected; an instance that passed and then fails is replaced at once', async () => {
    const sick = new Set<string>();
    const w = await checkedWorld((id) => sick.has(id));
    await runFor(w, 60);
    assert.equal(launches(w), 2, 'no replacement of healthy instances');
    for (let i = 0; i < 3; i++) {
      const [first] = w.sims.hotel!.state.list({}, w.clock.now().getTime()).filter((x) => x.state === 'running');
      sick.add(first!.id);
      await runFor(w, 2);
    }
    assert.equal(launches(w), 5, 'each replaced in the next pass, no backoff');
    assert.equal(w.events.filter((e) => e.kind === 'launch').length, 5, 'each launch reported');
    assert.deepEqual(
      w.events.filter((e) => e.kind === 'replacement-backoff'),
      [],
    );
  });

  it('a replacement that passes its check ends the backoff', async () => {
    let broken = true;
    const w = await checkedWorld(() => broken);
    await runFor(w, 12); // the first round of replacements, then held
    assert.ok(w.deps.backoff.replacementUntil(w.user.id, 'web', w.clock.now()));
    broken = false;
    await runFor(w, 30);
    assert.equal(w.deps.backoff.replacementUntil(w.user.id, 'web', w.clock.now()), undefined);
  });
});
