import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { FixedClock } from '../../contracts/clock.ts';
import type { User } from '../../contracts/records.ts';
import type { Store } from '../../contracts/store.ts';
import type { PutMetricAlarmInput } from '../../domain/alarm.ts';
import { MetricStore } from '../../metrics/store/metric-store.ts';
import { putMetricAlarm } from '../../services/alarms.ts';
import type { ServiceDeps } from '../../services/deps.ts';
import { PageTokens } from '../../services/page-tokens.ts';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.ts';
import { AlarmEvaluator, reasonDataValue, type AlarmInvocation } from './alarm-evaluator.ts';
import { setAlarmState } from '../../services/alarms.ts';

const T0 = new Date('2026-12-08T10:00:00Z');

describe('AlarmEvaluator', () => {
  let store: Store;
  let clock: FixedClock;
  let metrics: MetricStore;
  let evaluator: AlarmEvaluator;
  let calls: Array<{ owner: string; arn: string; invocation: AlarmInvocation }>;
  let failing: boolean;
  const ann: User = { id: 'ann', name: 'ann', isAdmin: false, createdTime: T0, limits: {} };
  const bob: User = { ...ann, id: 'bob', name: 'bob' };
  const arn = (owner: string) =>
    `arn:phantom:autoscaling:phantom:${owner}:scalingPolicy:1:autoScalingGroupName/web:policyName/out`;
  const alarm = (owner: string, over: Partial<PutMetricAlarmInput> = {}): PutMetricAlarmInput => ({
    AlarmName: 'busy',
    Namespace: 'App',
    MetricName: 'Load',
    Statistic: 'Average',
    Period: 10,
    EvaluationPeriods: 3,
    DatapointsToAlarm: 2,
    Threshold: 50,
    ComparisonOperator: 'GreaterThanThreshold',
    AlarmActions: [arn(owner)],
    ...over,
  });
  /** One datapoint of `value` in the current 10-second period, for `owner`. */
  const push = (owner: string, value: number) =>
    metrics.put(owner, 'App', [
      {
        metricName: 'Load',
        dimensions: [],
        timestampMs: clock.now().getTime(),
        stats: { sampleCount: 1, sum: value, minimum: value, maximum: value },
        unit: 'None',
        highResolution: true,
      },
    ]);
  /** Pushes `value` then moves to the next period, `n` times. */
  const periods = (owner: string, value: number, n: number) => {
    for (let i = 0; i < n; i++) {
      push(owner, value);
      clock.advance(10_000);
    }
  };
  const state = async (owner: string) => (await store.getAlarm(owner, 'busy'))!.state;

  beforeEach(async () => {
    store = await openSqliteStore({ file: ':memory:' });
    clock = new FixedClock(T0);
    metrics = new MetricStore({ clock });
    for (const u of [ann, bob]) await store.createUser(u);
    const deps = {
      store,
      clock,
      sites: () => [],
      defaultLimits: { maxGroups: 1, maxLaunchConfigurations: 1, maxInstances: 1 },
      pageTokens: new PageTokens(Buffer.alloc(32)),
    } satisfies ServiceDeps;
    await putMetricAlarm(deps, ann, alarm('ann'));
    await putMetricAlarm(deps, bob, alarm('bob'));
    calls = [];
    failing = false;
    evaluator = new AlarmEvaluator({
      store,
      metrics,
      clock,
      log: pino({ level: 'silent' }),
      pageSize: 1, // every alarm on its own page: the paging is exercised
      invokePolicy: async (owner, policyArn, invocation) => {
        if (failing) throw new Error('policy store down');
        calls.push({ owner, arn: policyArn, invocation });
        return { applied: true, reason: 'changed the desired capacity from 1 to 2' };
      },
    });
  });
  afterEach(() => store.close());

  it('goes to ALARM on M of N breaching periods and invokes the policy with the latest value', async () => {
    await evaluator.round();
    assert.equal(await state('ann'), 'INSUFFICIENT_DATA');
    periods('ann', 80, 1);
    periods('ann', 90, 1);
    const report = await evaluator.round();
    assert.equal(await state('ann'), 'ALARM');
    assert.equal(report.changed, 1);
    assert.deepEqual(calls, [
      {
        owner: 'ann',
        arn: arn('ann'),
        invocation: { alarmName: 'busy', alarmState: 'ALARM', threshold: 50, metricValue: 90 },
      },
    ]);
    assert.equal(await state('bob'), 'INSUFFICIENT_DATA', "ann's data never reaches bob's alarm of the same name");
    const history = await store.listAlarmHistory('ann', { limit: 10 });
    assert.deepEqual(
      history.slice(0, 2).map((h) => h.type),
      ['Action', 'StateUpdate'],
    );
    assert.match(history[1]!.summary, /from INSUFFICIENT_DATA to ALARM/);
  });

  it('invokes again every minute while the alarm stays in ALARM, not every period', async () => {
    periods('ann', 80, 2);
    await evaluator.round();
    assert.equal(calls.length, 1);
    for (let i = 0; i < 5; i++) {
      periods('ann', 80, 1);
      await evaluator.round();
    }
    assert.equal(calls.length, 1, 'within the minute');
    periods('ann', 80, 1);
    await evaluator.round();
    assert.equal(calls.length, 2, 'a minute after the first invocation');
  });

  it('returns to OK when the values fall, without invoking (no OK actions)', async () => {
    periods('ann', 80, 2);
    await evaluator.round();
    periods('ann', 10, 3);
    await evaluator.round();
    assert.equal(await state('ann'), 'OK');
    assert.equal(calls.length, 1);
  });

  it('counts a failing policy, records it, and keeps evaluating the other alarms', async () => {
    failing = true;
    periods('ann', 80, 2);
    periods('bob', 80, 0);
    const report = await evaluator.round();
    assert.equal(report.invoked, 1);
    assert.equal(await state('ann'), 'ALARM');
    const [action] = await store.listAlarmHistory('ann', { limit: 1 });
    assert.match(action!.summary, /failed: policy store down/);
  });

  it('runs a round asked for during another after it, never both at once', async () => {
    const [a, b] = [evaluator.round(), evaluator.round()];
    assert.notEqual(a, b);
    assert.deepEqual(await Promise.all([a, b]), [
      { evaluated: 2, changed: 0, invoked: 0, failed: 0 },
      { evaluated: 0, changed: 0, invoked: 0, failed: 0 },
    ]);
  });

  it('does not invoke while actions are disabled', async () => {
    const deps = {
      store,
      clock,
      sites: () => [],
      defaultLimits: { maxGroups: 1, maxLaunchConfigurations: 1, maxInstances: 1 },
      pageTokens: new PageTokens(Buffer.alloc(32)),
    } satisfies ServiceDeps;
    await putMetricAlarm(deps, ann, alarm('ann', { ActionsEnabled: false }));
    periods('ann', 80, 2);
    await evaluator.round();
    assert.equal(await state('ann'), 'ALARM');
    assert.deepEqual(calls, []);
  });

  it('acts on a state set by SetAlarmState before the next evaluation replaces it, with the reason data value', async () => {
    const deps = {
      store,
      clock,
      sites: () => [],
      defaultLimits: { maxGroups: 1, maxLaunchConfigurations: 1, maxInstances: 1 },
      pageTokens: new PageTokens(Buffer.alloc(32)),
    } satisfies ServiceDeps;
    await setAlarmState(deps, ann, {
      alarmName: 'busy',
      state: 'ALARM',
      reason: 'testing the policy',
      reasonData: JSON.stringify({ version: '1.0', recentDatapoints: [70, 75] }),
    });
    await evaluator.round();
    assert.deepEqual(calls, [
      {
        owner: 'ann',
        arn: arn('ann'),
        invocation: { alarmName: 'busy', alarmState: 'ALARM', threshold: 50, metricValue: 75 },
      },
    ]);
    assert.equal(await state('ann'), 'INSUFFICIENT_DATA', 'then evaluated on its (missing) data');
  });

  it('reads the newest value of CloudWatch-shaped reason data', () => {
    assert.equal(reasonDataValue(JSON.stringify({ recentDatapoints: [1, 2.5] })), 2.5);
    assert.equal(reasonDataValue(JSON.stringify({ evaluatedDatapoints: [{ value: 9 }, { value: 1 }] })), 9);
    for (const bad of [undefined, 'not json', '{}', '{"recentDatapoints":["x"]}', '{"recentDatapoints":[]}'])
      assert.equal(reasonDataValue(bad), undefined, String(bad));
  });
});
