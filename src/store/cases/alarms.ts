import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AlarmDefinition, AlarmRecord } from '../../contracts/alarm.ts';
import { at, T0, withStore, type OpenStore } from './fixtures.ts';

const definition = (name: string, over: Partial<AlarmDefinition> = {}): AlarmDefinition => ({
  name,
  metric: {
    namespace: 'App',
    metricName: 'Backlog',
    dimensions: [{ name: 'AutoScalingGroupName', value: 'web' }],
    statistic: 'Average',
  },
  period: 60,
  evaluationPeriods: 3,
  datapointsToAlarm: 2,
  threshold: 70,
  comparisonOperator: 'GreaterThanThreshold',
  treatMissingData: 'missing',
  actionsEnabled: true,
  alarmActions: ['arn:phantom:autoscaling:phantom:u1:scalingPolicy:1:autoScalingGroupName/web:policyName/out'],
  okActions: [],
  insufficientDataActions: [],
  ...over,
});

const alarm = (owner: string, name: string, over: Partial<AlarmRecord> = {}): AlarmRecord => ({
  owner,
  arn: `arn:phantom:cloudwatch:phantom:${owner}:alarm:${name}`,
  definition: definition(name),
  state: 'INSUFFICIENT_DATA',
  stateReason: 'Unchecked: Initial alarm creation',
  stateUpdatedTime: T0,
  configurationUpdatedTime: T0,
  ...over,
});

/** Alarms: replace keeps the state, owner isolation, paging, state and action marks, history pages and pruning. */
export function alarmCases(open: OpenStore): void {
  describe('alarms', () => {
    it('round-trip with optional fields absent and present; a replace keeps the state', () =>
      withStore(open, async (store) => {
        assert.equal(await store.putAlarm(alarm('u1', 'high')), true);
        assert.deepEqual(await store.getAlarm('u1', 'high'), alarm('u1', 'high'));
        assert.equal(
          await store.setAlarmState('u1', 'high', {
            state: 'ALARM',
            reason: 'Threshold Crossed',
            reasonData: '{"v":1}',
            at: at(5),
          }),
          true,
        );
        assert.equal(await store.markAlarmActed('u1', 'high', at(6)), true);
        const replaced = alarm('u1', 'high', {
          definition: definition('high', { threshold: 90, description: 'hot' }),
          configurationUpdatedTime: at(9),
          ownerPolicyArn: 'arn:policy',
        });
        assert.equal(await store.putAlarm(replaced), false);
        assert.deepEqual(await store.getAlarm('u1', 'high'), {
          ...replaced,
          state: 'ALARM',
          stateReason: 'Threshold Crossed',
          stateReasonData: '{"v":1}',
          stateUpdatedTime: at(5),
          lastActionTime: at(6),
        });
        assert.equal(await store.setAlarmState('u1', 'nope', { state: 'OK', reason: 'r', at: at(1) }), false);
        assert.equal(await store.markAlarmActed('u2', 'high', at(1)), false, "another owner's name addresses nothing");
      }));

    it('lists an owner’s alarms by name, prefix, state and page, never another owner’s', () =>
      withStore(open, async (store) => {
        for (const name of ['b', 'a', 'ab', 'c']) await store.putAlarm(alarm('u1', name));
        await store.putAlarm(alarm('u2', 'a'));
        await store.setAlarmState('u1', 'c', { state: 'OK', reason: 'r', at: at(1) });
        const names = async (q: Parameters<typeof store.listAlarms>[1]) =>
          (await store.listAlarms('u1', q)).map((a) => a.definition.name);
        assert.deepEqual(await names({ limit: 10 }), ['a', 'ab', 'b', 'c']);
        assert.deepEqual(await names({ limit: 2 }), ['a', 'ab']);
        assert.deepEqual(await names({ limit: 2, after: 'ab' }), ['b', 'c']);
        assert.deepEqual(await names({ limit: 10, namePrefix: 'a' }), ['a', 'ab']);
        assert.deepEqual(await names({ limit: 10, names: ['c', 'zz', 'a'] }), ['a', 'c']);
        assert.deepEqual(await names({ limit: 10, names: [] }), []);
        assert.deepEqual(await names({ limit: 10, state: 'OK' }), ['c']);
        assert.equal(await store.countAlarms('u1'), 4);
        assert.equal(await store.countAlarms('u3'), 0);
        const all = await store.listAllAlarms(undefined, 3);
        assert.deepEqual(
          all.map((a) => `${a.owner}/${a.definition.name}`),
          ['u1/a', 'u1/ab', 'u1/b'],
        );
        const rest = await store.listAllAlarms({ owner: 'u1', name: 'b' }, 10);
        assert.deepEqual(
          rest.map((a) => `${a.owner}/${a.definition.name}`),
          ['u1/c', 'u2/a'],
        );
      }));

    it('deletes only the caller’s named alarms, idempotently', () =>
      withStore(open, async (store) => {
        await store.putAlarm(alarm('u1', 'a'));
        await store.putAlarm(alarm('u1', 'b'));
        await store.putAlarm(alarm('u2', 'a'));
        assert.deepEqual((await store.deleteAlarms('u1', ['a', 'nope'])).sort(), ['a']);
        assert.deepEqual(await store.deleteAlarms('u1', ['a']), []);
        assert.deepEqual(await store.deleteAlarms('u1', []), []);
        assert.ok(await store.getAlarm('u2', 'a'));
        assert.ok(await store.getAlarm('u1', 'b'));
      }));

    it('pages history newest first with filters, and prunes by age', () =>
      withStore(open, async (store) => {
        const item = (name: string, seconds: number, type: 'StateUpdate' | 'Action' = 'StateUpdate') => ({
          owner: 'u1',
          alarmName: name,
          type,
          timestamp: at(seconds),
          summary: `${name}@${seconds}`,
          data: '{}',
        });
        await store.addAlarmHistory([item('a', 1), item('a', 2, 'Action'), item('b', 3), item('a', 4)]);
        await store.addAlarmHistory([{ ...item('a', 5), owner: 'u2' }]);
        const summaries = async (q: Parameters<typeof store.listAlarmHistory>[1]) =>
          (await store.listAlarmHistory('u1', q)).map((h) => h.summary);
        assert.deepEqual(await summaries({ limit: 10 }), ['a@4', 'b@3', 'a@2', 'a@1']);
        const first = await store.listAlarmHistory('u1', { limit: 2 });
        assert.deepEqual(await summaries({ limit: 10, before: first[1]!.cursor }), ['a@2', 'a@1']);
        assert.deepEqual(await summaries({ limit: 10, alarmName: 'a', type: 'StateUpdate' }), ['a@4', 'a@1']);
        assert.deepEqual(await summaries({ limit: 10, start: at(2), end: at(3) }), ['b@3', 'a@2']);
        assert.equal(await store.pruneAlarmHistory(at(3)), 2);
        assert.deepEqual(await summaries({ limit: 10 }), ['a@4', 'b@3']);
        assert.equal((await store.listAlarmHistory('u2', { limit: 10 })).length, 1);
      }));

    it("alarm writes move only their owner's change stamp", () =>
      withStore(open, async (store) => {
        const before = [store.ownerChangeStamp('u1'), store.ownerChangeStamp('u2')];
        await store.putAlarm(alarm('u1', 'a'));
        await store.setAlarmState('u1', 'a', { state: 'OK', reason: 'r', at: at(1) });
        const after = [store.ownerChangeStamp('u1'), store.ownerChangeStamp('u2')];
        assert.notEqual(after[0], before[0]);
        assert.equal(after[1], before[1]);
      }));
  });
}
