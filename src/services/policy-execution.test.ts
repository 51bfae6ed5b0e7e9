import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FixedClock } from '../contracts/clock.ts';
import type { User } from '../contracts/records.ts';
import type { Store } from '../contracts/store.ts';
import { group, instance } from '../store/cases/fixtures.ts';
import { openSqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { ServiceDeps } from './deps.ts';
import { PageTokens } from './page-tokens.ts';
import { putScalingPolicy } from './policies.ts';
import type { PolicyInput } from './policy-input.ts';
import { applyPolicy, type PolicyTrigger } from './policy-execution.ts';

const ann: User = { id: 'ann-id', name: 'ann', isAdmin: false, createdTime: new Date(0), limits: {} };
const bob: User = { id: 'bob-id', name: 'bob', isAdmin: false, createdTime: new Date(0), limits: {} };
const alarm = (over: Partial<Extract<PolicyTrigger, { kind: 'alarm' }>> = {}): PolicyTrigger => ({
  kind: 'alarm',
  alarmName: 'busy',
  alarmState: 'ALARM',
  ...over,
});
const user = (over: Partial<Extract<PolicyTrigger, { kind: 'user' }>> = {}): PolicyTrigger => ({
  kind: 'user',
  honorCooldown: false,
  ...over,
});
const simple = (name: string, adjustment: number, over: Partial<PolicyInput> = {}): PolicyInput => ({
  policyName: name,
  adjustmentType: 'ChangeInCapacity',
  scalingAdjustment: adjustment,
  ...over,
});
const step: PolicyInput = {
  policyName: 'steps',
  policyType: 'StepScaling',
  adjustmentType: 'ChangeInCapacity',
  stepAdjustments: [
    { metricIntervalLowerBound: 0, metricIntervalUpperBound: 10, scalingAdjustment: 1 },
    { metricIntervalLowerBound: 10, scalingAdjustment: 3 },
  ],
};

describe('applyPolicy', () => {
  let store: Store;
  let deps: ServiceDeps;
  let clock: FixedClock;

  beforeEach(async () => {
    store = await openSqliteStore({ file: ':memory:' });
    clock = new FixedClock(new Date('2026-12-08T10:00:00Z'));
    await store.createUser(ann);
    await store.createUser(bob);
    await store.createGroup(
      group('ann-id', 'web', { minSize: 1, maxSize: 8, desiredCapacity: 2, defaultCooldown: 60 }),
    );
    deps = {
      store,
      clock,
      sites: () => ['hotel'],
      defaultLimits: { maxGroups: 10, maxLaunchConfigurations: 10, maxInstances: 9 },
      pageTokens: new PageTokens(Buffer.alloc(32)),
    };
  });
  afterEach(() => store.close());

  const put = async (input: PolicyInput) => (await putScalingPolicy(deps, ann, 'web', input)).arn;

  const table: {
    name: string;
    input: PolicyInput;
    trigger: PolicyTrigger;
    applied: boolean;
    to: number;
    reason: RegExp;
  }[] = [
    { name: 'simple by alarm', input: simple('out', 2), trigger: alarm(), applied: true, to: 4, reason: /from 2 to 4/ },
    { name: 'simple by user', input: simple('out', 1), trigger: user(), applied: true, to: 3, reason: /from 2 to 3/ },
    { name: 'clamped to MaxSize', input: simple('big', 50), trigger: user(), applied: true, to: 8, reason: /to 8/ },
    {
      name: 'no change at MinSize',
      input: simple('in', -5, { adjustmentType: 'ExactCapacity', scalingAdjustment: 2 }),
      trigger: alarm(),
      applied: false,
      to: 2,
      reason: /no change/,
    },
    {
      name: 'step: lower step',
      input: step,
      trigger: alarm({ metricValue: 75, threshold: 70 }),
      applied: true,
      to: 3,
      reason: /from 2 to 3/,
    },
    {
      name: 'step: upper step',
      input: step,
      trigger: user({ metricValue: 95, breachThreshold: 70 }),
      applied: true,
      to: 5,
      reason: /from 2 to 5/,
    },
    {
      name: 'step: no matching step',
      input: step,
      trigger: alarm({ metricValue: 60, threshold: 70 }),
      applied: false,
      to: 0,
      reason: /does not correspond to a step/,
    },
    {
      name: 'disabled, by alarm',
      input: simple('off', 1, { enabled: false }),
      trigger: alarm(),
      applied: false,
      to: 0,
      reason: /is disabled/,
    },
  ];
  for (const row of table)
    it(row.name, async () => {
      const outcome = await applyPolicy(deps, ann, await put(row.input), row.trigger);
      assert.equal(outcome.applied, row.applied);
      assert.equal(outcome.to, row.to);
      assert.match(outcome.reason, row.reason);
      const activities = await store.listActivities('ann-id', { groupName: 'web', limit: 5 });
      assert.equal(activities.length, row.applied ? 1 : 0, 'an activity only when applied');
      assert.deepEqual(
        outcome.effect,
        row.applied ? { kind: 'groups', groups: ['web'] } : { kind: 'groups', groups: [] },
      );
      if (row.applied) assert.equal(outcome.activityId, activities[0]?.activityId);
      assert.equal((await store.getGroup('ann-id', 'web'))?.desiredCapacity, row.applied ? row.to : 2);
    });

  it("records AWS's cause for an alarm and a user request", async () => {
    const arn = await put(simple('cpu50', 2));
    await applyPolicy(deps, ann, arn, alarm({ alarmName: 'TargetTracking-web-AlarmHigh-x' }));
    const [first] = await store.listActivities('ann-id', { groupName: 'web', limit: 1 });
    assert.equal(
      first?.cause,
      'At 2026-12-08T10:00:00Z a monitor alarm TargetTracking-web-AlarmHigh-x in state ALARM triggered policy cpu50 changing the desired capacity from 2 to 4.',
    );
    clock.advance(60_000);
    const second = await applyPolicy(deps, ann, await put(simple('out', -1)), user());
    const [last] = await store.listActivities('ann-id', { groupName: 'web', limit: 1 });
    assert.equal(last?.activityId, second.activityId);
    assert.equal(
      last?.cause,
      'At 2026-12-08T10:01:00Z a user request executed policy out changing the desired capacity from 4 to 3.',
    );
  });

  it('an alarm honours the cooldown; a user request only when asked', async () => {
    const arn = await put(simple('out', 1));
    assert.equal((await applyPolicy(deps, ann, arn, alarm())).applied, true);
    clock.advance(30_000);
    const closed = await applyPolicy(deps, ann, arn, alarm());
    assert.deepEqual([closed.applied, /cooldown period of 60 seconds/.test(closed.reason)], [false, true]);
    assert.equal((await applyPolicy(deps, ann, arn, user({ honorCooldown: true }))).applied, false);
    assert.equal((await applyPolicy(deps, ann, arn, user())).applied, true);
  });

  it('skips a suspended AlarmNotification for alarms only', async () => {
    const arn = await put(simple('out', 1));
    const g = (await store.getGroup('ann-id', 'web'))!;
    await store.updateGroup({
      ...g,
      suspendedProcesses: [{ processName: 'AlarmNotification', suspensionReason: 'x' }],
    });
    const skipped = await applyPolicy(deps, ann, arn, alarm());
    assert.deepEqual([skipped.applied, skipped.reason], [false, 'the AlarmNotification process of web is suspended']);
    assert.equal((await applyPolicy(deps, ann, arn, user())).applied, true);
  });

  it('a change past the per-user instance limit is a Failed activity and nothing else', async () => {
    await store.createGroup(group('ann-id', 'db', { minSize: 0, maxSize: 8, desiredCapacity: 5 }));
    const outcome = await applyPolicy(deps, ann, await put(simple('out', 3)), alarm());
    assert.equal(outcome.applied, false);
    assert.deepEqual([outcome.from, outcome.to], [2, 2]);
    const [failed] = await store.listActivities('ann-id', { groupName: 'web', limit: 5 });
    assert.equal(failed?.statusCode, 'Failed');
    assert.equal(failed?.activityId, outcome.activityId);
    assert.equal(failed?.cause, 'At 2026-12-08T10:00:00Z a monitor alarm busy in state ALARM triggered policy out.');
    assert.equal((await store.getGroup('ann-id', 'web'))?.desiredCapacity, 2);
  });

  it('target tracking: AlarmHigh scales out, AlarmLow in, by the proportional rule', async () => {
    const arn = await put({
      policyName: 'cpu50',
      policyType: 'TargetTrackingScaling',
      targetTracking: { targetValue: 50, predefined: { predefinedMetricType: 'ASGAverageCPUUtilization' } },
    });
    const high = 'TargetTracking-web-AlarmHigh-0b0e';
    const out = await applyPolicy(deps, ann, arn, alarm({ alarmName: high, metricValue: 100, threshold: 50 }));
    assert.deepEqual([out.applied, out.from, out.to], [true, 2, 4]);
    const [activity] = await store.listActivities('ann-id', { groupName: 'web', limit: 1 });
    assert.equal(
      activity?.cause,
      `At 2026-12-08T10:00:00Z a monitor alarm ${high} in state ALARM triggered policy cpu50 changing the desired capacity from 2 to 4.`,
    );
    const low = 'TargetTracking-web-AlarmLow-0b0e';
    const still = await applyPolicy(deps, ann, arn, alarm({ alarmName: low, metricValue: 60, threshold: 45 }));
    assert.equal(still.applied, false, 'AlarmLow never scales out');
    const inward = await applyPolicy(deps, ann, arn, alarm({ alarmName: low, metricValue: 20, threshold: 45 }));
    assert.deepEqual([inward.applied, inward.from, inward.to], [true, 4, 1]);
    const missing = await applyPolicy(deps, ann, arn, alarm({ alarmName: high }));
    assert.deepEqual([missing.applied, /without a metric value/.test(missing.reason)], [false, true]);
  });

  it('step by alarm: warming instances do not count, so a second breach of the same step makes no activity', async () => {
    const arn = await put({ ...step, estimatedInstanceWarmup: 120 });
    const launched = new Date('2026-12-08T09:59:00Z');
    await store.putInstance(instance('ann-id', 'web', 'i-1', { createdTime: new Date('2026-12-08T09:00:00Z') }));
    await store.putInstance(instance('ann-id', 'web', 'i-2', { createdTime: launched }));
    const breach = alarm({ metricValue: 75, threshold: 70 });
    const warm = await applyPolicy(deps, ann, arn, breach);
    assert.deepEqual([warm.applied, warm.to], [false, 2], 'one warming: 1 + 1 does not exceed 2');
    clock.advance(60_000);
    const cold = await applyPolicy(deps, ann, arn, breach);
    assert.deepEqual([cold.applied, cold.from, cold.to], [true, 2, 3], 'warmed up: 2 + 1');
  });

  it("another owner's ARN addresses nothing", async () => {
    const arn = await put(simple('out', 1));
    const outcome = await applyPolicy(deps, bob, arn, user());
    assert.deepEqual([outcome.applied, /Policy name not found/.test(outcome.reason)], [false, true]);
    assert.equal((await store.getGroup('ann-id', 'web'))?.desiredCapacity, 2);
    assert.equal((await store.listActivities('bob-id', { limit: 5 })).length, 0);
  });
});
