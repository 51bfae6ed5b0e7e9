import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ScalingPolicy, ScalingPolicyRecord, SimpleScalingPolicy } from '../../contracts/scaling-policy.ts';
import { at, group, T0, withStore, type OpenStore } from './fixtures.ts';

const simple = (name: string): SimpleScalingPolicy => ({
  policyType: 'SimpleScaling',
  policyName: name,
  enabled: true,
  adjustmentType: 'ChangeInCapacity',
  scalingAdjustment: 1,
});

const step: ScalingPolicy = {
  policyType: 'StepScaling',
  policyName: 'steps',
  enabled: false,
  adjustmentType: 'PercentChangeInCapacity',
  stepAdjustments: [
    { metricIntervalUpperBound: 0, scalingAdjustment: -10 },
    { metricIntervalLowerBound: 0, metricIntervalUpperBound: 0.5, scalingAdjustment: 0 },
    { metricIntervalLowerBound: 0.5, scalingAdjustment: 30 },
  ],
  metricAggregationType: 'Maximum',
  minAdjustmentMagnitude: 2,
  estimatedInstanceWarmup: 0,
};

const tracking: ScalingPolicy = {
  policyType: 'TargetTrackingScaling',
  policyName: 'cpu',
  enabled: true,
  targetTracking: {
    targetValue: 42.5,
    disableScaleIn: true,
    metric: {
      kind: 'customized',
      namespace: 'App',
      metricName: 'Queue ✓',
      dimensions: [{ name: 'AutoScalingGroupName', value: 'web' }],
      statistic: 'Average',
      period: 10,
    },
  },
};

const record = (
  owner: string,
  groupName: string,
  policy: ScalingPolicy,
  id = `${owner}-${groupName}-${policy.policyName}`,
) => ({ owner, groupName, policyId: id, policy, createdTime: T0, updatedTime: at(1) }) satisfies ScalingPolicyRecord;

const keys = (records: ScalingPolicyRecord[]) => records.map((r) => `${r.groupName}/${r.policy.policyName}`);

/** Scaling policies: typed round trip, replace, id lookup, pages and filters, owner isolation, group cascade. */
export function scalingPolicyCases(open: OpenStore): void {
  describe('scaling policies', () => {
    it('round-trips each policy type deep-equal (zeros, false and unicode kept) and put replaces', () =>
      withStore(open, async (store) => {
        for (const p of [simple('s'), step, tracking]) await store.putScalingPolicy(record('u1', 'web', p));
        for (const p of [simple('s'), step, tracking])
          assert.deepEqual(await store.getScalingPolicy('u1', 'web', p.policyName), record('u1', 'web', p));
        const replaced = record('u1', 'web', { ...simple('s'), scalingAdjustment: -3, cooldown: 0 });
        await store.putScalingPolicy(replaced);
        assert.deepEqual(await store.getScalingPolicy('u1', 'web', 's'), replaced);
        assert.equal(await store.countScalingPolicies('u1', 'web'), 3);
        assert.equal(await store.getScalingPolicy('u1', 'web', 'none'), undefined);
      }));

    it('finds a policy by its id, within its owner only', () =>
      withStore(open, async (store) => {
        await store.putScalingPolicy(record('u1', 'web', step, 'id-1'));
        assert.deepEqual(await store.getScalingPolicyById('u1', 'id-1'), record('u1', 'web', step, 'id-1'));
        assert.equal(await store.getScalingPolicyById('u2', 'id-1'), undefined);
        assert.equal(await store.getScalingPolicyById('u1', 'id-2'), undefined);
      }));

    it('lists by (group, name) with names, types, exclusive after and limit; owners never mix', () =>
      withStore(open, async (store) => {
        await store.putScalingPolicy(record('u1', 'web', simple('b')));
        await store.putScalingPolicy(record('u1', 'api', simple('z')));
        await store.putScalingPolicy(record('u1', 'web', tracking));
        await store.putScalingPolicy(record('u1', 'api', step));
        await store.putScalingPolicy(record('u2', 'web', simple('a')));
        const list = (q: Parameters<typeof store.listScalingPolicies>[1]) =>
          store.listScalingPolicies('u1', q).then(keys);
        assert.deepEqual(await list({ limit: 10 }), ['api/steps', 'api/z', 'web/b', 'web/cpu']);
        assert.deepEqual(await list({ limit: 2, after: { groupName: 'api', name: 'z' } }), ['web/b', 'web/cpu']);
        assert.deepEqual(await list({ limit: 1 }), ['api/steps']);
        assert.deepEqual(await list({ limit: 10, groupName: 'web' }), ['web/b', 'web/cpu']);
        assert.deepEqual(await list({ limit: 10, names: ['z', 'cpu', 'nope'] }), ['api/z', 'web/cpu']);
        assert.deepEqual(await list({ limit: 10, names: [] }), []);
        assert.deepEqual(await list({ limit: 10, policyTypes: ['StepScaling', 'TargetTrackingScaling'] }), [
          'api/steps',
          'web/cpu',
        ]);
        assert.deepEqual(await list({ limit: 10, policyTypes: [] }), []);
        assert.deepEqual(keys(await store.listScalingPolicies('u2', { limit: 10 })), ['web/a']);
        assert.equal(await store.getScalingPolicy('u2', 'api', 'z'), undefined);
        assert.equal(await store.deleteScalingPolicy('u2', 'api', 'z'), false);
        assert.equal(await store.countScalingPolicies('u2', 'api'), 0);
      }));

    it('delete is idempotent', () =>
      withStore(open, async (store) => {
        await store.putScalingPolicy(record('u1', 'web', step));
        assert.equal(await store.deleteScalingPolicy('u1', 'web', 'steps'), true);
        assert.equal(await store.deleteScalingPolicy('u1', 'web', 'steps'), false);
        assert.equal(await store.getScalingPolicyById('u1', 'u1-web-steps'), undefined);
      }));

    it('deleting a group deletes its policies only', () =>
      withStore(open, async (store) => {
        await store.createGroup(group('u1', 'web'));
        await store.createGroup(group('u1', 'api'));
        await store.putScalingPolicy(record('u1', 'web', step));
        await store.putScalingPolicy(record('u1', 'api', step));
        await store.putScalingPolicy(record('u2', 'web', step));
        assert.equal(await store.deleteGroup('u1', 'web'), true);
        assert.deepEqual(keys(await store.listScalingPolicies('u1', { limit: 10 })), ['api/steps']);
        assert.equal(await store.countScalingPolicies('u2', 'web'), 1);
      }));

    it('a put inside a rolled-back transaction is undone', () =>
      withStore(open, async (store) => {
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.putScalingPolicy(record('u1', 'web', step));
            throw new Error('abort');
          }),
          /abort/,
        );
        assert.equal(await store.getScalingPolicy('u1', 'web', 'steps'), undefined);
      }));
  });
}
