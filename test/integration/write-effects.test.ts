/**
 * Every mutating action hands the controller exactly what it changed: the Query API is run
 * in-process over a test server's data dir, with an onWrite that records each effect.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { Authenticator } from '../../src/api/auth/authenticate.ts';
import { makeRequest } from '../../src/api/auth/test-support.ts';
import { AWS_ACTIONS, IMPLEMENTED_ACTIONS } from '../../src/api/autoscaling/index.ts';
import { PageTokens } from '../../src/services/page-tokens.ts';
import { QueryApi } from '../../src/api/query/dispatch.ts';
import { systemClock } from '../../src/contracts/clock.ts';
import type { WriteEffect } from '../../src/services/write-effect.ts';
import { startTestServer, type TestCredentials, type TestServer } from '../support/harness.ts';
import { signV4 } from '../support/sign.ts';

describe('write effects: each mutating action names the groups it touched', () => {
  let server: TestServer;
  let creds: TestCredentials;
  let api: QueryApi;
  let owner: string;
  const effects: WriteEffect[] = [];
  const exercised = new Set<string>();

  before(async () => {
    server = await startTestServer();
    creds = await server.addUser('ella');
    const data = server.running.dataDir;
    owner = (await data.store.getUserByName('ella'))!.id;
    const deps = {
      store: data.store,
      clock: systemClock,
      sites: () => data.sites.names(),
      defaultLimits: { maxGroups: 10, maxLaunchConfigurations: 10, maxInstances: 1000 },
      pageTokens: new PageTokens(Buffer.alloc(32)),
    };
    const authenticator = new Authenticator({ lookup: (id) => data.accounts.secretFor(id), clock: systemClock });
    api = new QueryApi(
      deps,
      authenticator,
      (id) => data.accounts.userById(id),
      IMPLEMENTED_ACTIONS,
      AWS_ACTIONS,
      pino({ level: 'silent' }),
      (user, effect) => {
        assert.equal(user.id, owner);
        effects.push(effect);
      },
    );
  });
  after(() => server.close());

  /** Runs one action through the in-process API; returns the effects it reported. */
  const run = async (params: Record<string, string>, status = 200): Promise<WriteEffect[]> => {
    effects.length = 0;
    const signed = await signV4(server.url, creds, params);
    const answer = await api.handle(
      makeRequest({ method: 'POST', path: '/', headers: Object.entries(signed.headers), body: signed.body }),
    );
    assert.equal(answer.status, status, Buffer.concat(answer.body).toString());
    if (status === 200) exercised.add(params.Action!);
    return [...effects];
  };
  const groups = (...names: string[]): WriteEffect[] => [{ kind: 'groups', groups: names }];
  const arnOf = async (name: string) => (await server.running.dataDir.store.getGroup(owner, name))!.arn;
  const lc = (name: string) => ({
    Action: 'CreateLaunchConfiguration',
    LaunchConfigurationName: name,
    ImageId: 'i',
    InstanceType: 't',
  });
  const domain = (name: string) => ({
    Action: 'CreateAutoScalingGroup',
    AutoScalingGroupName: name,
    LaunchConfigurationName: 'web@hotel',
    MinSize: '1',
    MaxSize: '1',
    'Tags.member.1.Key': 'PHANTOM_DEFINITION',
    'Tags.member.1.Value': 'error_overflow_n_preserving',
    'Tags.member.2.Key': 'clouds',
    'Tags.member.2.Value': 'hotel:1,sierra:2',
  });

  it('launch configuration writes touch the whole owner (placements read every name@site entry)', async () => {
    for (const name of ['web@hotel', 'web@sierra', 'spare']) assert.deepEqual(await run(lc(name)), [{ kind: 'owner' }]);
    assert.deepEqual(await run({ Action: 'DeleteLaunchConfiguration', LaunchConfigurationName: 'spare' }), [
      { kind: 'owner' },
    ]);
  });

  it('group writes touch the group they name (by name or ARN)', async () => {
    assert.deepEqual(await run(domain('d1')), groups('d1'));
    assert.deepEqual(await run(domain('d2')), groups('d2'));
    const d2 = await arnOf('d2');
    assert.deepEqual(
      await run({ Action: 'UpdateAutoScalingGroup', AutoScalingGroupName: d2, MaxSize: '1' }),
      groups('d2'),
    );
    assert.deepEqual(
      await run({ Action: 'SetDesiredCapacity', AutoScalingGroupName: 'd1', DesiredCapacity: '2' }),
      groups('d1'),
    );
    for (const Action of ['SuspendProcesses', 'ResumeProcesses'])
      assert.deepEqual(
        await run({ Action, AutoScalingGroupName: d2, 'ScalingProcesses.member.1': 'Launch' }),
        groups('d2'),
      );
  });

  it('tag writes touch each addressed group once, by its name', async () => {
    const d2 = await arnOf('d2');
    const tags = {
      'Tags.member.1.ResourceId': 'd1',
      'Tags.member.1.Key': 'team',
      'Tags.member.2.ResourceId': d2,
      'Tags.member.2.Key': 'team',
      'Tags.member.3.ResourceId': 'd2',
      'Tags.member.3.Key': 'tier',
    };
    assert.deepEqual(await run({ Action: 'CreateOrUpdateTags', ...tags }), groups('d1', 'd2'));
    assert.deepEqual(
      await run({ Action: 'DeleteTags', 'Tags.member.1.ResourceId': d2, 'Tags.member.1.Key': 'tier' }),
      groups('d2'),
    );
  });

  it('scheduled action writes touch no group (sizes change only when an action runs)', async () => {
    const start = new Date(Date.now() + 86_400_000).toISOString();
    const put = { AutoScalingGroupName: 'd2', ScheduledActionName: 's1', StartTime: start, DesiredCapacity: '1' };
    assert.deepEqual(await run({ Action: 'PutScheduledUpdateGroupAction', ...put }), groups());
    assert.deepEqual(
      await run({
        Action: 'BatchPutScheduledUpdateGroupAction',
        AutoScalingGroupName: 'd2',
        'ScheduledUpdateGroupActions.member.1.ScheduledActionName': 's2',
        'ScheduledUpdateGroupActions.member.1.Recurrence': '0 9 * * *',
        'ScheduledUpdateGroupActions.member.1.MaxSize': '1',
      }),
      groups(),
    );
    assert.deepEqual(
      await run({ Action: 'DeleteScheduledAction', AutoScalingGroupName: 'd2', ScheduledActionName: 's1' }),
      groups(),
    );
    assert.deepEqual(
      await run({
        Action: 'BatchDeleteScheduledAction',
        AutoScalingGroupName: 'd2',
        'ScheduledActionNames.member.1': 's2',
      }),
      groups(),
    );
  });

  it("policy writes touch no group; ExecutePolicy touches the policy's group", async () => {
    const put = {
      AutoScalingGroupName: 'd2',
      PolicyName: 'p1',
      AdjustmentType: 'ChangeInCapacity',
      ScalingAdjustment: '0',
    };
    assert.deepEqual(await run({ Action: 'PutScalingPolicy', ...put }), groups());
    assert.deepEqual(
      await run({ Action: 'ExecutePolicy', AutoScalingGroupName: 'd2', PolicyName: 'p1' }),
      groups('d2'),
    );
    assert.deepEqual(await run({ Action: 'DeletePolicy', AutoScalingGroupName: 'd2', PolicyName: 'p1' }), groups());
    assert.deepEqual(await run({ Action: 'DeletePolicy', AutoScalingGroupName: 'd2', PolicyName: 'p1' }, 400), []);
  });

  it('instance writes touch the group holding the instance', async () => {
    await server.running.dataDir.store.putInstance({
      owner,
      groupName: 'd1',
      instanceId: 'i-0000000000000001',
      site: 'hotel',
      lifecycleState: 'InService',
      healthStatus: 'Healthy',
      launchConfigurationName: 'web@hotel',
      protectedFromScaleIn: false,
      createdTime: new Date(Date.now() - 3_600_000),
    });
    const instance = { InstanceId: 'i-0000000000000001' };
    assert.deepEqual(await run({ Action: 'SetInstanceHealth', ...instance, HealthStatus: 'Unhealthy' }), groups('d1'));
    assert.deepEqual(
      await run({ Action: 'TerminateInstanceInAutoScalingGroup', ...instance, ShouldDecrementDesiredCapacity: 'true' }),
      groups('d1'),
    );
    assert.deepEqual(await run({ Action: 'DeleteAutoScalingGroup', AutoScalingGroupName: 'd1' }), groups('d1'));
  });

  it('a refused write reports nothing', async () => {
    assert.deepEqual(
      await run({ Action: 'SetDesiredCapacity', AutoScalingGroupName: 'nope', DesiredCapacity: '1' }, 400),
      [],
    );
    assert.deepEqual(await run({ Action: 'DeleteLaunchConfiguration', LaunchConfigurationName: 'web@hotel' }, 400), []);
  });

  it('every mutating action was exercised above', () => {
    const writes = [...IMPLEMENTED_ACTIONS.values()].filter((a) => !a.readOnly).map((a) => a.name);
    assert.deepEqual(
      writes.filter((name) => !exercised.has(name)),
      [],
    );
  });
});
