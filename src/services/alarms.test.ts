import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FixedClock } from '../contracts/clock.ts';
import type { User } from '../contracts/records.ts';
import type { Store } from '../contracts/store.ts';
import type { PutMetricAlarmInput } from '../domain/alarm.ts';
import { openSqliteStore } from '../store/sqlite/sqlite-store.ts';
import { alarmArn, deleteAlarms, putMetricAlarm, setAlarmState } from './alarms.ts';
import type { ServiceDeps } from './deps.ts';
import { PageTokens } from './page-tokens.ts';

const input = (name: string, over: Partial<PutMetricAlarmInput> = {}): PutMetricAlarmInput => ({
  AlarmName: name,
  MetricName: 'Backlog',
  Namespace: 'App',
  Statistic: 'Average',
  Period: 60,
  EvaluationPeriods: 2,
  Threshold: 10,
  ComparisonOperator: 'GreaterThanThreshold',
  ...over,
});
const fails = (code: string, text: RegExp) => (e: Error & { code?: string }) => e.code === code && text.test(e.message);

describe('alarm services', () => {
  let store: Store;
  let deps: ServiceDeps;
  let clock: FixedClock;
  const ann: User = { id: 'ann-id', name: 'ann', isAdmin: false, createdTime: new Date(0), limits: {} };
  const bob: User = { ...ann, id: 'bob-id', name: 'bob' };

  beforeEach(async () => {
    store = await openSqliteStore({ file: ':memory:' });
    clock = new FixedClock(new Date('2026-12-08T10:00:00Z'));
    for (const u of [ann, bob]) await store.createUser(u);
    deps = {
      store,
      clock,
      sites: () => ['hotel'],
      defaultLimits: { maxGroups: 10, maxLaunchConfigurations: 10, maxInstances: 10 },
      pageTokens: new PageTokens(Buffer.alloc(32)),
    };
  });
  afterEach(() => store.close());

  it('creates an alarm in INSUFFICIENT_DATA, and an update keeps its state', async () => {
    const created = await putMetricAlarm(deps, ann, input('busy'));
    assert.equal(created.state, 'INSUFFICIENT_DATA');
    assert.equal(created.arn, alarmArn('ann-id', 'busy'));
    clock.advance(60_000);
    await setAlarmState(deps, ann, { alarmName: 'busy', state: 'ALARM', reason: 'testing', reasonData: '{"x":1}' });
    clock.advance(60_000);
    const updated = await putMetricAlarm(deps, ann, input('busy', { Threshold: 20 }));
    assert.equal(updated.state, 'ALARM');
    assert.equal(updated.definition.threshold, 20);
    assert.deepEqual(updated.configurationUpdatedTime, clock.now());
    const history = await store.listAlarmHistory('ann-id', { limit: 10 });
    assert.deepEqual(
      history.map((h) => [h.type, h.summary]),
      [
        ['ConfigurationUpdate', 'Alarm "busy" updated'],
        ['StateUpdate', 'Alarm updated from INSUFFICIENT_DATA to ALARM'],
        ['ConfigurationUpdate', 'Alarm "busy" created'],
      ],
    );
  });

  it("keeps users apart: a name addresses only the caller's alarm", async () => {
    await putMetricAlarm(deps, ann, input('shared'));
    await putMetricAlarm(deps, bob, input('shared', { Threshold: 99 }));
    await assert.rejects(
      setAlarmState(deps, bob, { alarmName: 'only-ann', state: 'OK', reason: 'r' }),
      fails('NotFound', /Alarm only-ann does not exist/),
    );
    await setAlarmState(deps, bob, { alarmName: 'shared', state: 'OK', reason: 'r' });
    assert.equal((await store.getAlarm('ann-id', 'shared'))?.state, 'INSUFFICIENT_DATA');
    await deleteAlarms(deps, bob, ['shared']);
    assert.ok(await store.getAlarm('ann-id', 'shared'));
  });

  it('deletes all named alarms or none', async () => {
    await putMetricAlarm(deps, ann, input('a'));
    await putMetricAlarm(deps, ann, input('b'));
    await assert.rejects(deleteAlarms(deps, ann, ['a', 'missing']), fails('NotFound', /Alarm missing does not exist/));
    assert.equal(await store.countAlarms('ann-id'), 2);
    await deleteAlarms(deps, ann, ['a', 'b']);
    assert.equal(await store.countAlarms('ann-id'), 0);
    await assert.rejects(deleteAlarms(deps, ann, Array(101).fill('a')), fails('Validation', /At most 100/));
  });

  it('refuses to change or delete an alarm a target tracking policy owns', async () => {
    const record = await putMetricAlarm(deps, ann, input('TargetTracking-web-AlarmHigh-1'));
    await store.putAlarm({ ...record, ownerPolicyArn: 'arn:policy/web' });
    await assert.rejects(
      putMetricAlarm(deps, ann, input('TargetTracking-web-AlarmHigh-1')),
      fails('Validation', /change the policy/),
    );
    await assert.rejects(
      deleteAlarms(deps, ann, ['TargetTracking-web-AlarmHigh-1']),
      fails('Validation', /delete the policy/),
    );
  });

  it('refuses bad SetAlarmState input', async () => {
    await putMetricAlarm(deps, ann, input('a'));
    const refusals: Array<[Parameters<typeof setAlarmState>[2], RegExp]> = [
      [{ alarmName: 'a', state: 'BROKEN', reason: 'r' }, /Invalid value 'BROKEN' for StateValue/],
      [{ alarmName: 'a', state: 'OK', reason: 'x'.repeat(1024) }, /StateReason must be at most 1023/],
      [{ alarmName: 'a', state: 'OK', reason: 'r', reasonData: 'not json' }, /StateReasonData must be JSON/],
      [{ alarmName: 'a', state: 'OK', reason: 'r', reasonData: '7' }, /StateReasonData must be JSON/],
      [{ alarmName: 'a', state: 'OK', reason: 'r', reasonData: `[${'1,'.repeat(2000)}1]` }, /at most 4000/],
    ];
    for (const [change, why] of refusals)
      await assert.rejects(setAlarmState(deps, ann, change), fails('Validation', why));
    assert.equal((await store.getAlarm('ann-id', 'a'))?.state, 'INSUFFICIENT_DATA');
  });

  it('refuses a new alarm beyond the per-user limit, but still updates an existing one', async () => {
    const template = await putMetricAlarm(deps, ann, input('a0'));
    await store.transaction(async (tx) => {
      for (let i = 1; i < 5000; i++)
        await tx.putAlarm({ ...template, definition: { ...template.definition, name: `a${i}` } });
    });
    await assert.rejects(
      putMetricAlarm(deps, ann, input('one-more')),
      fails('LimitExceeded', /maximum number of alarms \(5000\)/),
    );
    await putMetricAlarm(deps, ann, input('a1', { Threshold: 5 }));
    await putMetricAlarm(deps, bob, input('one-more'));
  });
});
