import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FixedClock } from '../contracts/clock.ts';
import type { User } from '../contracts/records.ts';
import type { Store } from '../contracts/store.ts';
import { group } from '../store/cases/fixtures.ts';
import { openSqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { ServiceDeps } from './deps.ts';
import { PageTokens } from './page-tokens.ts';
import { executePolicyFor, putScalingPolicy } from './policies.ts';
import { policyFromInput } from './policy-input.ts';

const fails = (code: string, text: RegExp) => (e: Error & { code?: string }) => e.code === code && text.test(e.message);

describe('policyFromInput', () => {
  it('fills AWS defaults: SimpleScaling, Enabled, Average aggregation, Period 60, DisableScaleIn false', () => {
    assert.deepEqual(policyFromInput({ policyName: 'p', adjustmentType: 'ExactCapacity', scalingAdjustment: 0 }), {
      policyType: 'SimpleScaling',
      policyName: 'p',
      enabled: true,
      adjustmentType: 'ExactCapacity',
      scalingAdjustment: 0,
    });
    const step = policyFromInput({
      policyName: 's',
      policyType: 'StepScaling',
      adjustmentType: 'PercentChangeInCapacity',
      minAdjustmentMagnitude: 1,
      stepAdjustments: [{ metricIntervalLowerBound: 0, scalingAdjustment: 10 }],
    });
    assert.equal(step.policyType === 'StepScaling' && step.metricAggregationType, 'Average');
    const tt = policyFromInput({
      policyName: 't',
      policyType: 'TargetTrackingScaling',
      enabled: false,
      targetTracking: { targetValue: 0.5, customized: { metricName: 'm', namespace: 'n', statistic: 'Sum' } },
    });
    assert.deepEqual(tt, {
      policyType: 'TargetTrackingScaling',
      policyName: 't',
      enabled: false,
      targetTracking: {
        targetValue: 0.5,
        disableScaleIn: false,
        metric: { kind: 'customized', namespace: 'n', metricName: 'm', dimensions: [], statistic: 'Sum', period: 60 },
      },
    });
  });

  it('keeps MetricStat queries with one ReturnData and their periods', () => {
    const tt = policyFromInput({
      policyName: 't',
      policyType: 'TargetTrackingScaling',
      targetTracking: {
        targetValue: 100,
        customized: {
          metrics: [
            { id: 'a_1', metricStat: { namespace: 'n', metricName: 'x', stat: 'p90', period: 10 }, returnData: true },
            { id: 'b', metricStat: { namespace: 'n', metricName: 'y', stat: 'Sum' }, period: 30, returnData: false },
          ],
        },
      },
    });
    assert.ok(tt.policyType === 'TargetTrackingScaling' && tt.targetTracking.metric.kind === 'metrics');
    assert.deepEqual(
      tt.targetTracking.metric.queries.map((q) => [q.id, q.period, q.returnData]),
      [
        ['a_1', 10, true],
        ['b', 30, false],
      ],
    );
  });
});

describe('executePolicyFor (the alarm seam)', () => {
  let store: Store;
  let deps: ServiceDeps;
  let clock: FixedClock;
  const ann: User = { id: 'ann-id', name: 'ann', isAdmin: false, createdTime: new Date(0), limits: {} };
  const alarm = { kind: 'alarm', alarmName: 'busy', state: 'ALARM' } as const;

  beforeEach(async () => {
    store = await openSqliteStore({ file: ':memory:' });
    clock = new FixedClock(new Date('2026-12-08T10:00:00Z'));
    await store.createUser(ann);
    await store.createGroup(
      group('ann-id', 'web', { minSize: 1, maxSize: 20, desiredCapacity: 10, defaultCooldown: 120 }),
    );
    deps = {
      store,
      clock,
      sites: () => ['hotel'],
      defaultLimits: { maxGroups: 10, maxLaunchConfigurations: 10, maxInstances: 100 },
      pageTokens: new PageTokens(Buffer.alloc(32)),
    };
  });
  afterEach(() => store.close());

  const putPercent = async (name: string, pct: number) =>
    (
      await putScalingPolicy(deps, ann, 'web', {
        policyName: name,
        adjustmentType: 'PercentChangeInCapacity',
        scalingAdjustment: pct,
      })
    ).arn;

  it('applies with the alarm named in the cause, then honours the group cooldown until it ends', async () => {
    const arn = await putPercent('up', 10);
    const first = await executePolicyFor(deps, 'ann-id', arn, { trigger: alarm });
    assert.deepEqual(
      { ...first, activityId: undefined },
      {
        kind: 'applied',
        groupName: 'web',
        policyName: 'up',
        from: 10,
        to: 11,
        activityId: undefined,
      },
    );
    const [activity] = await store.listActivities('ann-id', { groupName: 'web', limit: 1 });
    assert.equal(
      activity?.cause,
      'At 2026-12-08T10:00:00Z a monitor alarm busy in state ALARM triggered policy up changing the desired capacity from 10 to 11.',
    );
    clock.advance(119_000);
    await assert.rejects(
      executePolicyFor(deps, 'ann-id', arn, { trigger: alarm }),
      fails('ScalingActivityInProgress', /cooldown period of 120 seconds until 2026-12-08T10:02:00Z/),
    );
    clock.advance(1_000);
    assert.equal((await executePolicyFor(deps, 'ann-id', arn, { trigger: alarm })).kind, 'applied');
    assert.equal((await store.getGroup('ann-id', 'web'))?.desiredCapacity, 12);
  });

  it('skips a disabled policy and a group whose AlarmNotification is suspended; a user request is refused instead', async () => {
    const arn = (
      await putScalingPolicy(deps, ann, 'web', {
        policyName: 'off',
        adjustmentType: 'ChangeInCapacity',
        scalingAdjustment: 1,
        enabled: false,
      })
    ).arn;
    assert.equal((await executePolicyFor(deps, 'ann-id', arn, { trigger: alarm })).kind, 'skipped');
    await assert.rejects(executePolicyFor(deps, 'ann-id', arn, {}), fails('Validation', /is disabled/));
    const on = await putPercent('on', 50);
    const g = (await store.getGroup('ann-id', 'web'))!;
    await store.updateGroup({
      ...g,
      suspendedProcesses: [{ processName: 'AlarmNotification', suspensionReason: 'x' }],
    });
    assert.deepEqual(await executePolicyFor(deps, 'ann-id', on, { trigger: alarm }), {
      kind: 'skipped',
      groupName: 'web',
      policyName: 'on',
      reason: 'suspended',
    });
    assert.equal((await executePolicyFor(deps, 'ann-id', on, {})).kind, 'applied', 'a user request still runs');
    assert.equal((await store.getGroup('ann-id', 'web'))?.desiredCapacity, 15);
  });

  it('reports unchanged at a bound, and finds nothing for another owner or a gone policy', async () => {
    const arn = (
      await putScalingPolicy(deps, ann, 'web', {
        policyName: 'max',
        adjustmentType: 'ExactCapacity',
        scalingAdjustment: 10,
      })
    ).arn;
    assert.equal((await executePolicyFor(deps, 'ann-id', arn, {})).kind, 'unchanged');
    await assert.rejects(executePolicyFor(deps, 'bob-id', arn, {}), fails('NotFound', /Policy name not found/));
    await store.deleteScalingPolicy('ann-id', 'web', 'max');
    await assert.rejects(executePolicyFor(deps, 'ann-id', arn, {}), fails('NotFound', /Policy name not found/));
  });
});
