/**
 * Scheduled actions through the signed Query API: the SDK round trip, AWS's error codes for
 * hostile input, isolation between users, and (on a server with its controller and a FixedClock)
 * a one-off and a recurring action running as the clock moves.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DescribeScheduledActionsCommand,
  PutScheduledUpdateGroupActionCommand,
  type AutoScalingClient,
} from '@aws-sdk/client-auto-scaling';
import { FixedClock } from '../../src/contracts/clock.ts';
import { nextOccurrence } from '../../src/domain/schedule.ts';
import { eventually } from '../support/eventually.ts';
import { startTestServer, type TestCredentials, type TestServer } from '../support/harness.ts';
import { call, errorCode } from '../support/sign.ts';

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const members = (xml: string, element: string) =>
  [...xml.matchAll(new RegExp(`<${element}>([^<]*)</${element}>`, 'g'))].map((m) => m[1]!);

/** Creates launch configuration lc@hotel and plain group `name` (min 0, max 10, desired 1) for `creds`. */
async function seedGroup(url: string, creds: TestCredentials, name: string, date?: Date): Promise<void> {
  const opts = date ? { date } : {};
  await call(
    url,
    creds,
    { Action: 'CreateLaunchConfiguration', LaunchConfigurationName: 'lc@hotel', ImageId: 'i', InstanceType: 't' },
    opts,
  );
  const res = await call(
    url,
    creds,
    {
      Action: 'CreateAutoScalingGroup',
      AutoScalingGroupName: name,
      LaunchConfigurationName: 'lc@hotel',
      MinSize: '0',
      MaxSize: '10',
      DesiredCapacity: '1',
      'AvailabilityZones.member.1': 'us-east-1',
    },
    opts,
  );
  assert.equal(res.status, 200, res.body);
}

describe('scheduled actions over the signed API', () => {
  let server: TestServer;
  let alice: TestCredentials;
  let bob: TestCredentials;
  let sdk: AutoScalingClient;
  const api = (params: Record<string, string>, who = alice) => call(server.url, who, params);
  const expectError = async (params: Record<string, string>, code: string, message: RegExp, who = alice) => {
    const res = await api(params, who);
    assert.equal(errorCode(res.body), code, `${JSON.stringify(params)} → ${res.body}`);
    assert.match(res.body, message);
  };
  const put = (name: string, fields: Record<string, string>) => ({
    Action: 'PutScheduledUpdateGroupAction',
    AutoScalingGroupName: 'web',
    ScheduledActionName: name,
    ...fields,
  });
  const inHours = (h: number) => iso(Date.now() + h * HOUR);

  before(async () => {
    server = await startTestServer();
    alice = await server.addUser('alice');
    bob = await server.addUser('bob');
    sdk = server.sdk(alice);
    await seedGroup(server.url, alice, 'web');
  });
  after(() => server.close());

  it('Put and Describe round-trip with the SDK: ARN, next run as StartTime and Time, Etc/GMT+9', async () => {
    const start = new Date(Date.now() + 2 * HOUR);
    start.setUTCMilliseconds(0);
    await sdk.send(
      new PutScheduledUpdateGroupActionCommand({
        AutoScalingGroupName: 'web',
        ScheduledActionName: 'burst',
        StartTime: start,
        MinSize: 1,
        MaxSize: 5,
        DesiredCapacity: 3,
      }),
    );
    await sdk.send(
      new PutScheduledUpdateGroupActionCommand({
        AutoScalingGroupName: 'web',
        ScheduledActionName: 'tokyo-morning',
        Recurrence: '0 9 * * 1-5',
        TimeZone: 'Etc/GMT+9',
        DesiredCapacity: 2,
      }),
    );
    const out = await sdk.send(new DescribeScheduledActionsCommand({ AutoScalingGroupName: 'web' }));
    const [burst, tokyo] = out.ScheduledUpdateGroupActions ?? [];
    assert.equal(burst?.ScheduledActionName, 'burst');
    assert.match(
      burst?.ScheduledActionARN ?? '',
      /^arn:phantom:autoscaling:phantom:[^:]+:scheduledUpdateGroupAction:[0-9a-f-]{36}:autoScalingGroupName\/web:scheduledActionName\/burst$/,
    );
    assert.deepEqual([burst?.StartTime, burst?.Time], [start, start]);
    assert.deepEqual([burst?.MinSize, burst?.MaxSize, burst?.DesiredCapacity], [1, 5, 3]);
    assert.equal(tokyo?.TimeZone, 'Etc/GMT+9');
    assert.equal(tokyo?.Recurrence, '0 9 * * 1-5');
    const next = nextOccurrence('0 9 * * 1-5', 'Etc/GMT+9', new Date())!;
    assert.deepEqual(tokyo?.StartTime, next, 'a recurring action shows its next run');
    assert.equal(tokyo?.MinSize, undefined);
  });

  it('Put on an existing name updates only the given fields', async () => {
    await sdk.send(
      new PutScheduledUpdateGroupActionCommand({
        AutoScalingGroupName: 'web',
        ScheduledActionName: 'tokyo-morning',
        DesiredCapacity: 4,
      }),
    );
    const out = await sdk.send(
      new DescribeScheduledActionsCommand({ AutoScalingGroupName: 'web', ScheduledActionNames: ['tokyo-morning'] }),
    );
    const [tokyo] = out.ScheduledUpdateGroupActions ?? [];
    assert.deepEqual([tokyo?.Recurrence, tokyo?.TimeZone, tokyo?.DesiredCapacity], ['0 9 * * 1-5', 'Etc/GMT+9', 4]);
  });

  it('hostile input gets AWS error codes and stores nothing', async () => {
    const before = (await api({ Action: 'DescribeScheduledActions' })).body;
    await expectError(put('p', { StartTime: inHours(-1), DesiredCapacity: '1' }), 'ValidationError', /is in the past/);
    await expectError(put('p', { Recurrence: '0 0 31 2 *', DesiredCapacity: '1' }), 'ValidationError', /Recurrence/);
    await expectError(put('p', { Recurrence: '0 0 * * * *', DesiredCapacity: '1' }), 'ValidationError', /5 fields/);
    await expectError(
      put('p', { Recurrence: '0 9 * * *', TimeZone: 'Mars/Olympus', DesiredCapacity: '1' }),
      'ValidationError',
      /IANA/,
    );
    await expectError(put('p', { StartTime: inHours(1) }), 'ValidationError', /At least one of MinSize/);
    await expectError(
      put('p', { StartTime: inHours(2), EndTime: inHours(1), DesiredCapacity: '1' }),
      'ValidationError',
      /EndTime must be after/,
    );
    await expectError(put('p', { StartTime: 'tomorrow', DesiredCapacity: '1' }), 'ValidationError', /ISO-8601/);
    for (const StartTime of ['2099-02-30T00:00:00Z', '2099-13-01T00:00:00Z', '2099-01-01T25:00:00Z', '4102444800'])
      await expectError(put('p', { StartTime, DesiredCapacity: '1' }), 'ValidationError', /ISO-8601/);
    await expectError(put('p', { DesiredCapacity: '1' }), 'ValidationError', /StartTime or a Recurrence/);
    await expectError(put('p', { StartTime: inHours(1), DesiredCapacity: '-1' }), 'ValidationError', /./);
    await expectError(put('x'.repeat(256), { StartTime: inHours(1), DesiredCapacity: '1' }), 'ValidationError', /./);
    await expectError(
      put('p', { StartTime: inHours(1), MinSize: '5', MaxSize: '2' }),
      'ValidationError',
      /Max bound, 2/,
    );
    await expectError(
      { ...put('p', { StartTime: inHours(1), DesiredCapacity: '1' }), AutoScalingGroupName: 'nope' },
      'ValidationError',
      /AutoScalingGroup name not found/,
    );
    await expectError(
      { Action: 'DescribeScheduledActions', MaxRecords: '101' },
      'ValidationError',
      /between 1 and 100/,
    );
    await expectError({ Action: 'DescribeScheduledActions', NextToken: 'forged.token' }, 'InvalidNextToken', /invalid/);
    await expectError(
      { Action: 'DeleteScheduledAction', AutoScalingGroupName: 'web', ScheduledActionName: 'nope' },
      'ValidationError',
      /Scheduled action name not found/,
    );
    assert.equal(
      (await api({ Action: 'DescribeScheduledActions' })).body.replace(/<RequestId>.*<\/RequestId>/, ''),
      before.replace(/<RequestId>.*<\/RequestId>/, ''),
    );
  });

  it('a time without a zone (boto 2 sends isoformat()) is read as UTC', async () => {
    assert.equal((await api(put('naive', { StartTime: '2099-01-01T00:00:00', DesiredCapacity: '1' }))).status, 200);
    const res = await api({ Action: 'DescribeScheduledActions', 'ScheduledActionNames.member.1': 'naive' });
    assert.deepEqual(members(res.body, 'StartTime'), ['2099-01-01T00:00:00.000Z']);
    assert.equal(
      (await api({ Action: 'DeleteScheduledAction', AutoScalingGroupName: 'web', ScheduledActionName: 'naive' }))
        .status,
      200,
    );
  });

  it('a second action at the same time is refused with AlreadyExists', async () => {
    const start = inHours(5);
    assert.equal((await api(put('first', { StartTime: start, DesiredCapacity: '1' }))).status, 200);
    await expectError(put('second', { StartTime: start, DesiredCapacity: '2' }), 'AlreadyExists', /unique time value/);
    assert.equal(
      (await api(put('first', { StartTime: start, DesiredCapacity: '2' }))).status,
      200,
      'itself is no clash',
    );
  });

  it('BatchPut reports per-item failures; 125 per group, then LimitExceeded; 51 items are refused', async () => {
    const batch = (from: number, count: number, extra: Record<string, string> = {}) => {
      const params: Record<string, string> = {
        Action: 'BatchPutScheduledUpdateGroupAction',
        AutoScalingGroupName: 'web',
      };
      for (let i = 1; i <= count; i++) {
        params[`ScheduledUpdateGroupActions.member.${i}.ScheduledActionName`] = `b${from + i}`;
        params[`ScheduledUpdateGroupActions.member.${i}.StartTime`] = inHours(10 + from + i);
        params[`ScheduledUpdateGroupActions.member.${i}.DesiredCapacity`] = '1';
      }
      Object.assign(params, extra);
      return params;
    };
    await expectError(batch(0, 51), 'ValidationError', /./);
    const mixed = batch(0, 3, {
      'ScheduledUpdateGroupActions.member.2.StartTime': inHours(-3),
      'ScheduledUpdateGroupActions.member.3.Recurrence': '0 0 30 2 *',
    });
    const res = await api(mixed);
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(members(res.body, 'ScheduledActionName'), ['b2', 'b3']);
    assert.deepEqual(members(res.body, 'ErrorCode'), ['ValidationError', 'ValidationError']);
    const count = async () =>
      members((await api({ Action: 'DescribeScheduledActions', MaxRecords: '100' })).body, 'ScheduledActionName')
        .length;
    const have = await count(); // burst, tokyo-morning, first, b1
    assert.equal(have, 4);
    for (const [from, n] of [
      [100, 50],
      [200, 50],
      [300, 21],
    ] as const) {
      const r = await api(batch(from, n));
      assert.doesNotMatch(r.body, /<ErrorCode>/, r.body);
    }
    const full = await api(batch(400, 2));
    assert.deepEqual(members(full.body, 'ErrorCode'), ['LimitExceeded', 'LimitExceeded']);
    await expectError(
      put('one-more', { StartTime: inHours(900), DesiredCapacity: '1' }),
      'LimitExceeded',
      /125 scheduled actions/,
    );
  });

  it('Describe pages with NextToken, filters on StartTime/EndTime, ignores the window when names are given', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const res = await api({
        Action: 'DescribeScheduledActions',
        AutoScalingGroupName: 'web',
        MaxRecords: '50',
        ...(token ? { NextToken: token } : {}),
      });
      seen.push(...members(res.body, 'ScheduledActionName'));
      token = /<NextToken>([^<]*)<\/NextToken>/.exec(res.body)?.[1];
    } while (token);
    assert.equal(seen.length, 125);
    assert.equal(new Set(seen).size, 125);
    const window = await api({
      Action: 'DescribeScheduledActions',
      StartTime: inHours(111.5),
      EndTime: inHours(113.5),
    });
    assert.deepEqual(members(window.body, 'ScheduledActionName'), ['b102', 'b103']);
    const named = await api({
      Action: 'DescribeScheduledActions',
      'ScheduledActionNames.member.1': 'burst',
      StartTime: inHours(500),
    });
    assert.deepEqual(members(named.body, 'ScheduledActionName'), ['burst']);
  });

  it('BatchDelete reports unknown names; Delete removes; deleting the group removes the rest', async () => {
    const res = await api({
      Action: 'BatchDeleteScheduledAction',
      AutoScalingGroupName: 'web',
      'ScheduledActionNames.member.1': 'burst',
      'ScheduledActionNames.member.2': 'ghost',
    });
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(members(res.body, 'ScheduledActionName'), ['ghost']);
    assert.deepEqual(members(res.body, 'ErrorCode'), ['ValidationError']);
    assert.equal(
      (await api({ Action: 'DeleteScheduledAction', AutoScalingGroupName: 'web', ScheduledActionName: 'first' }))
        .status,
      200,
    );
    assert.equal(
      (await api({ Action: 'DeleteAutoScalingGroup', AutoScalingGroupName: 'web', ForceDelete: 'true' })).status,
      200,
    );
    await seedGroup(server.url, alice, 'web');
    assert.deepEqual(members((await api({ Action: 'DescribeScheduledActions' })).body, 'ScheduledActionName'), []);
  });

  it("user B cannot see, replace or delete A's actions; the same names are independent per user", async () => {
    assert.equal((await api(put('mine', { Recurrence: '0 1 * * *', MinSize: '2' }))).status, 200);
    const aliceView = async () =>
      (await api({ Action: 'DescribeScheduledActions' })).body.replace(/<RequestId>.*<\/RequestId>/, '');
    const before = await aliceView();
    assert.deepEqual(members((await api({ Action: 'DescribeScheduledActions' }, bob)).body, 'ScheduledActionName'), []);
    await expectError(
      { Action: 'DescribeScheduledActions', AutoScalingGroupName: 'web' },
      'ValidationError',
      /not found/,
      bob,
    );
    await expectError(put('mine', { Recurrence: '0 2 * * *', MinSize: '9' }), 'ValidationError', /not found/, bob);
    await expectError(
      { Action: 'DeleteScheduledAction', AutoScalingGroupName: 'web', ScheduledActionName: 'mine' },
      'ValidationError',
      /not found/,
      bob,
    );
    await expectError(
      { Action: 'BatchDeleteScheduledAction', AutoScalingGroupName: 'web', 'ScheduledActionNames.member.1': 'mine' },
      'ValidationError',
      /not found/,
      bob,
    );
    await seedGroup(server.url, bob, 'web');
    assert.equal((await api(put('mine', { Recurrence: '0 2 * * *', MinSize: '9', MaxSize: '9' }), bob)).status, 200);
    assert.equal(
      (await api({ Action: 'DeleteScheduledAction', AutoScalingGroupName: 'web', ScheduledActionName: 'mine' }, bob))
        .status,
      200,
    );
    assert.equal(await aliceView(), before, "alice's action is untouched");
  });
});

describe('scheduled actions run as the clock moves (controller on, FixedClock)', () => {
  let server: TestServer;
  let creds: TestCredentials;
  const clock = new FixedClock(new Date(Math.ceil(Date.now() / HOUR) * HOUR - 30 * 60_000));
  const api = (params: Record<string, string>) => call(server.url, creds, params, { date: clock.now() });
  const sizes = async () => {
    const body = (await api({ Action: 'DescribeAutoScalingGroups', 'AutoScalingGroupNames.member.1': 'web' })).body;
    return ['MinSize', 'MaxSize', 'DesiredCapacity'].map((e) => Number(members(body, e)[0]));
  };

  before(async () => {
    server = await startTestServer({ clock, env: { PHANTOM_CONTROLLER: 'on', PHANTOM_RECONCILE_INTERVAL_MS: '100' } });
    creds = await server.addUser('carol');
    await seedGroup(server.url, creds, 'web', clock.now());
  });
  after(() => server.close());

  it('a one-off runs once and disappears; a recurring one runs and moves to its next run', async () => {
    const now = clock.now().getTime();
    const oneOff = await api({
      Action: 'PutScheduledUpdateGroupAction',
      AutoScalingGroupName: 'web',
      ScheduledActionName: 'scale-up',
      StartTime: iso(now + 10 * 60_000),
      MinSize: '1',
      MaxSize: '5',
      DesiredCapacity: '3',
    });
    assert.equal(oneOff.status, 200, oneOff.body);
    const recurring = await api({
      Action: 'PutScheduledUpdateGroupAction',
      AutoScalingGroupName: 'web',
      ScheduledActionName: 'on-the-hour',
      Recurrence: '0 * * * *',
      DesiredCapacity: '4',
    });
    assert.equal(recurring.status, 200, recurring.body);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(await sizes(), [0, 10, 1], 'nothing runs early');

    clock.advance(11 * 60_000);
    await eventually(
      'the one-off ran',
      async () => ((await sizes()).join() === '1,5,3' ? true : undefined),
      10_000,
      50,
    );
    const described = (await api({ Action: 'DescribeScheduledActions' })).body;
    assert.deepEqual(members(described, 'ScheduledActionName'), ['on-the-hour'], 'a finished one-off is not listed');

    clock.advance(20 * 60_000); // past the hour
    await eventually(
      'the recurring one ran',
      async () => ((await sizes()).join() === '1,5,4' ? true : undefined),
      10_000,
      50,
    );
    const next = members((await api({ Action: 'DescribeScheduledActions' })).body, 'StartTime')[0];
    assert.equal(next, new Date(Math.ceil(clock.now().getTime() / HOUR) * HOUR).toISOString(), 'shows the next hour');

    const activities = (await api({ Action: 'DescribeScalingActivities', AutoScalingGroupName: 'web' })).body;
    assert.match(
      activities,
      /a scheduled action update of AutoScalingGroup constraints to min: 1, max: 5, desired: 3 changing the desired capacity from 1 to 3\. {2}At [^<]* the scheduled action scale-up executed\./,
    );
    assert.match(
      activities,
      /changing the desired capacity from 3 to 4\. {2}At [^<]* the scheduled action on-the-hour executed\./,
    );
    assert.equal(
      members(activities, 'Description').filter((d) => d.startsWith('Executing scheduled action')).length,
      2,
    );
  });
});
