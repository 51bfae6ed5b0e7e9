import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { systemClock } from '../../contracts/clock.ts';
import type { ReconcileResult } from '../../contracts/reconcile.ts';
import type { Store } from '../../contracts/store.ts';
import type { ReconcilerDeps } from '../domain-reconciler.ts';
import { Controller } from './controller.ts';
import { SiteBackoff } from './backoff.ts';

type FakeReconcile = (
  deps: ReconcilerDeps,
  owner: string,
  group: string,
  signal: AbortSignal,
) => Promise<ReconcileResult>;

/** A controller over `groups` ("owner/group") whose reconcile is `fake`; records its log lines and passes. */
function runtime(
  groups: string[],
  fake: FakeReconcile,
  options: { timeoutMs?: number; launchesPerSite?: number } = {},
) {
  const keys = groups.map((g) => {
    const [owner, name] = g.split('/') as [string, string];
    return { owner, name };
  });
  const store = { listAllGroupKeys: async () => keys, changeStamp: () => 0 } as unknown as Store;
  const lines: Array<{ msg: string; attempts?: number; retryInMs?: number; group?: string }> = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line) as (typeof lines)[0]) });
  const passes: Array<{ kind: string; domains: number }> = [];
  const controller = new Controller({
    store,
    log,
    intervalMs: 3_600_000,
    reconcileTimeoutMs: options.timeoutMs ?? 60_000,
    launchesPerSite: options.launchesPerSite,
    retryInitialMs: 40,
    retryMaxMs: 1000,
    reconciler: {
      store,
      clock: systemClock,
      backoff: new SiteBackoff({ initialMs: 1000, maxMs: 1000 }),
    } as unknown as ReconcilerDeps,
    reconcile: (deps, owner, group, signal) => fake(deps, owner, group, signal),
    events: {
      decision: () => undefined,
      cloudCall: () => undefined,
      pass: (report) => passes.push(report),
    },
  });
  return { controller, lines, passes };
}

async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('controller runtime: requeues, retries, timeouts, fairness', () => {
  it('a reconcile that never ends is abandoned after the timeout and the loop goes on; the key waits until it settles', async () => {
    const runs: string[] = [];
    let release!: () => void;
    const hung = new Promise<void>((r) => (release = r));
    const { controller, lines } = runtime(
      ['a/stuck', 'b/fine'],
      async (_deps, _owner, group) => {
        runs.push(group);
        if (group === 'stuck' && runs.filter((g) => g === 'stuck').length === 1) await hung; // ignores the signal
        return {};
      },
      { timeoutMs: 30 },
    );
    controller.start();
    await until(() => runs.includes('fine'));
    assert.ok(lines.some((l) => l.msg === 'reconcile timed out; retried with backoff' && l.group === 'stuck'));
    controller.poke();
    await new Promise((r) => setTimeout(r, 120)); // well past the first retry delay (40 ms)
    assert.equal(runs.filter((g) => g === 'stuck').length, 1, 'not run again while the abandoned one still runs');
    release();
    await until(() => runs.filter((g) => g === 'stuck').length === 2);
    await controller.stop();
  });

  it('a failing reconcile is retried with exponential backoff and logged once per retry, not every pass', async () => {
    const attempts: number[] = [];
    const { controller, lines } = runtime(['a/bad', 'a/good'], async (_deps, _owner, group) => {
      if (group === 'bad') {
        attempts.push(Date.now());
        throw new TypeError('a bug');
      }
      return {};
    });
    controller.start();
    const started = Date.now();
    while (Date.now() - started < 400) {
      controller.poke(); // routine passes all the while
      await new Promise((r) => setTimeout(r, 5));
    }
    await controller.stop();
    const errors = lines.filter((l) => l.msg === 'reconcile failed; retried with backoff');
    // 40, 80, 160 ms after each other: 3 or 4 attempts in 400 ms, not one per pass.
    assert.ok(attempts.length >= 3 && attempts.length <= 4, `${attempts.length} attempts`);
    assert.equal(errors.length, attempts.length);
    assert.deepEqual(
      errors.map((e) => e.retryInMs),
      [40, 80, 160, 320].slice(0, errors.length),
    );
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
    gaps.forEach((gap, i) => assert.ok(gap >= 40 * 2 ** i - 2, `gap ${i}: ${gap} ms`));
  });

  it('requeueAfterMs runs the domain again after that delay without a poll', async () => {
    const runs: number[] = [];
    const { controller } = runtime(['a/later'], async () => {
      runs.push(Date.now());
      return runs.length < 3 ? { requeueAfterMs: 25 } : {};
    });
    controller.start();
    await until(() => runs.length === 3);
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(runs.length, 3, 'no requeue asked, none done');
    assert.ok(runs[1]! - runs[0]! >= 20, `${runs[1]! - runs[0]!} ms`);
    await controller.stop();
  });

  it('a batch shares launch slots fairly: the small owner launches in the first batch, the big one catches up over the next', async () => {
    const wants: Record<string, number> = { 'a/a1': 100, 'a/a2': 100, 'b/b1': 3 };
    const firstLaunchInBatch: Record<string, number> = {};
    const { controller, passes } = runtime(
      Object.keys(wants),
      async (deps, owner, group) => {
        const key = `${owner}/${group}`;
        while (wants[key]! > 0 && deps.launchBudget!.take(owner, 'hotel')) {
          firstLaunchInBatch[key] ??= passes.length;
          wants[key]!--;
        }
        return {};
      },
      { launchesPerSite: 10 },
    );
    controller.start();
    await until(() => Object.values(wants).every((n) => n === 0));
    await controller.stop();
    assert.equal(firstLaunchInBatch['b/b1'], 0, 'b launched in the first batch');
    assert.ok(passes.length >= 200 / 10, `${passes.length} batches of at most 10 launches for 203`);
    assert.ok(passes.every((p) => p.kind === 'routine'));
  });
  it('a domain out of slots is not reconciled again while its owner has no slot left; the owner’s domains take turns', async () => {
    const wants: Record<string, number> = { a1: 10, a2: 10, a3: 10 };
    const reconciles: Array<{ group: string; batch: number; launched: number }> = [];
    const { controller, passes } = runtime(
      Object.keys(wants).map((g) => `a/${g}`),
      async (deps, owner, group) => {
        let launched = 0;
        while (wants[group]! > 0 && deps.launchBudget!.take(owner, 'hotel')) {
          wants[group]!--;
          launched++;
        }
        reconciles.push({ group, batch: passes.length, launched });
        return {};
      },
      { launchesPerSite: 5 },
    );
    controller.start();
    await until(() => Object.values(wants).every((n) => n === 0));
    await controller.stop();
    const later = reconciles.filter((r) => r.batch > 0);
    const perBatch = new Map<number, number>();
    for (const r of later) perBatch.set(r.batch, (perBatch.get(r.batch) ?? 0) + 1);
    assert.ok(
      [...perBatch.values()].every((n) => n === 1),
      `one reconcile per batch once slots ran out: ${JSON.stringify([...perBatch])}`,
    );
    assert.deepEqual(
      later.filter((r) => r.launched > 0).map((r) => r.group),
      ['a1', 'a2', 'a3', 'a2', 'a3'],
      'turns (a1 had its first 5 in the first batch)',
    );
  });
});
