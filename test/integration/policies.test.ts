/**
 * Scaling policies through the signed Query API: the SDK round trip (ARN, Describe shape, replace
 * keeps the ARN), AWS's error codes for hostile input, the 50-per-group quota, paging,
 * ExecutePolicy (simple, step, cooldown, instance limit, the activity's cause), addressing by
 * name or exact ARN, isolation between users, and policies going with their group.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DescribePoliciesCommand, PutScalingPolicyCommand, type AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { startTestServer, type TestCredentials, type TestServer } from '../support/harness.ts';
import { call, errorCode } from '../support/sign.ts';

const members = (xml: string, element: string) =>
  [...xml.matchAll(new RegExp(`<${element}>([^<]*)</${element}>`, 'g'))].map((m) => m[1]!);

async function seedGroup(url: string, creds: TestCredentials, name: string, sizes = ['0', '10', '1']) {
  await call(url, creds, {
    Action: 'CreateLaunchConfiguration',
    LaunchConfigurationName: 'lc@hotel',
    ImageId: 'i',
    InstanceType: 't',
  });
  const res = await call(url, creds, {
    Action: 'CreateAutoScalingGroup',
    AutoScalingGroupName: name,
    LaunchConfigurationName: 'lc@hotel',
    MinSize: sizes[0]!,
    MaxSize: sizes[1]!,
    DesiredCapacity: sizes[2]!,
    'AvailabilityZones.member.1': 'us-east-1',
  });
  assert.equal(res.status, 200, res.body);
}

/** Step parameters from [lower, upper, adjustment] rows ('' = absent bound). */
const steps = (rows: Array<[string, string, string]>): Record<string, string> =>
  Object.fromEntries(
    rows.flatMap(([lower, upper, adjustment], i) => [
      ...(lower === '' ? [] : [[`StepAdjustments.member.${i + 1}.MetricIntervalLowerBound`, lower]]),
      ...(upper === '' ? [] : [[`StepAdjustments.member.${i + 1}.MetricIntervalUpperBound`, upper]]),
      [`StepAdjustments.member.${i + 1}.ScalingAdjustment`, adjustment],
    ]),
  );

describe('scaling policies over the signed API', () => {
  let server: TestServer;
  let alice: TestCredentials;
  let bob: TestCredentials;
  let sdk: AutoScalingClient;
  const api = (params: Record<string, string>, who = alice) => call(server.url, who, params);
  const ok = async (params: Record<string, string>, who = alice) => {
    const res = await api(params, who);
    assert.equal(res.status, 200, `${JSON.stringify(params)} → ${res.body}`);
    return res.body;
  };
  const expectError = async (params: Record<string, string>, code: string, message: RegExp, who = alice) => {
    const res = await api(params, who);
    assert.equal(errorCode(res.body), code, `${JSON.stringify(params)} → ${res.body}`);
    assert.match(res.body, message);
  };
  const put = (name: string, fields: Record<string, string>, group = 'web') => ({
    Action: 'PutScalingPolicy',
    AutoScalingGroupName: group,
    PolicyName: name,
    ...fields,
  });
  const simple = { AdjustmentType: 'ChangeInCapacity', ScalingAdjustment: '2' };
  const desired = async (group: string, who = alice) =>
    Number(
      members(
        await ok({ Action: 'DescribeAutoScalingGroups', 'AutoScalingGroupNames.member.1': group }, who),
        'DesiredCapacity',
      )[0],
    );

  before(async () => {
    server = await startTestServer({ env: { PHANTOM_MAX_INSTANCES: '30' } });
    alice = await server.addUser('alice');
    bob = await server.addUser('bob');
    sdk = server.sdk(alice);
    await seedGroup(server.url, alice, 'web');
    await seedGroup(server.url, bob, 'web');
  });
  after(() => server.close());

  it('PutScalingPolicy and DescribePolicies round-trip with the SDK; a replace keeps the ARN', async () => {
    const out = await sdk.send(
      new PutScalingPolicyCommand({
        AutoScalingGroupName: 'web',
        PolicyName: 'steps ✓',
        PolicyType: 'StepScaling',
        AdjustmentType: 'PercentChangeInCapacity',
        MinAdjustmentMagnitude: 2,
        MetricAggregationType: 'Maximum',
        EstimatedInstanceWarmup: 0,
        StepAdjustments: [
          { MetricIntervalUpperBound: 0, ScalingAdjustment: -10 },
          { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 10.5, ScalingAdjustment: 10 },
          { MetricIntervalLowerBound: 10.5, ScalingAdjustment: 30 },
        ],
      }),
    );
    assert.match(
      out.PolicyARN ?? '',
      /^arn:phantom:autoscaling:phantom:[^:]+:scalingPolicy:[0-9a-f-]{36}:autoScalingGroupName\/web:policyName\/steps ✓$/,
    );
    assert.deepEqual(out.Alarms ?? [], []);
    const tt = await sdk.send(
      new PutScalingPolicyCommand({
        AutoScalingGroupName: 'web',
        PolicyName: 'cpu',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingConfiguration: {
          TargetValue: 42.5,
          PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' },
        },
      }),
    );
    assert.deepEqual(
      (tt.Alarms ?? []).map((a) => a.AlarmName?.replace(/-[0-9a-f-]{36}$/, '')),
      ['TargetTracking-web-AlarmHigh', 'TargetTracking-web-AlarmLow'],
      'a target tracking policy owns its two alarms',
    );
    const { ScalingPolicies: policies = [] } = await sdk.send(
      new DescribePoliciesCommand({ AutoScalingGroupName: 'web' }),
    );
    const step = policies.find((p) => p.PolicyName === 'steps ✓');
    assert.equal(step?.PolicyARN, out.PolicyARN);
    assert.equal(step?.PolicyType, 'StepScaling');
    assert.equal(step?.MinAdjustmentMagnitude, 2);
    assert.equal(step?.MetricAggregationType, 'Maximum');
    assert.equal(step?.EstimatedInstanceWarmup, 0);
    assert.equal(step?.Enabled, true);
    assert.deepEqual(step?.StepAdjustments, [
      { MetricIntervalUpperBound: 0, ScalingAdjustment: -10 },
      { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 10.5, ScalingAdjustment: 10 },
      { MetricIntervalLowerBound: 10.5, ScalingAdjustment: 30 },
    ]);
    const cpu = policies.find((p) => p.PolicyName === 'cpu');
    assert.deepEqual(cpu?.TargetTrackingConfiguration, {
      PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' },
      TargetValue: 42.5,
      DisableScaleIn: false,
    });
    assert.equal(cpu?.AdjustmentType, undefined);
    assert.deepEqual(cpu?.Alarms, tt.Alarms);

    const replaced = await sdk.send(
      new PutScalingPolicyCommand({
        AutoScalingGroupName: 'web',
        PolicyName: 'steps ✓',
        AdjustmentType: 'ExactCapacity',
        ScalingAdjustment: 0,
        Enabled: false,
      }),
    );
    assert.equal(replaced.PolicyARN, out.PolicyARN);
    const [again] = (await sdk.send(new DescribePoliciesCommand({ PolicyNames: ['steps ✓'] }))).ScalingPolicies ?? [];
    assert.equal(again?.PolicyType, 'SimpleScaling');
    assert.equal(again?.ScalingAdjustment, 0);
    assert.equal(again?.Enabled, false);
    assert.deepEqual(again?.StepAdjustments ?? [], []);
    await ok({ Action: 'DeletePolicy', PolicyName: out.PolicyARN! });
    await ok({ Action: 'DeletePolicy', AutoScalingGroupName: 'web', PolicyName: 'cpu' });
    assert.deepEqual((await sdk.send(new DescribePoliciesCommand({}))).ScalingPolicies ?? [], []);
  });

  it('refuses hostile PutScalingPolicy input with clear ValidationErrors and stores nothing', async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ PolicyType: 'Bogus', ...simple }, /Invalid PolicyType &apos;Bogus&apos;/],
      [{ AdjustmentType: 'Lots', ScalingAdjustment: '1' }, /Invalid AdjustmentType &apos;Lots&apos;/],
      [{ ScalingAdjustment: '1' }, /AdjustmentType is required for policy type SimpleScaling/],
      [{ AdjustmentType: 'ChangeInCapacity' }, /ScalingAdjustment is required for policy type SimpleScaling/],
      [
        { AdjustmentType: 'ExactCapacity', ScalingAdjustment: '-1' },
        /must be non-negative with AdjustmentType ExactCapacity/,
      ],
      [
        { ...simple, MinAdjustmentMagnitude: '2' },
        /MinAdjustmentMagnitude may only be given with AdjustmentType PercentChangeInCapacity/,
      ],
      [
        { ...simple, EstimatedInstanceWarmup: '60' },
        /EstimatedInstanceWarmup is not supported for policy type SimpleScaling/,
      ],
      [
        { ...simple, MetricAggregationType: 'Average' },
        /MetricAggregationType is not supported for policy type SimpleScaling/,
      ],
      [
        { PolicyType: 'StepScaling', AdjustmentType: 'ChangeInCapacity' },
        /StepAdjustments is required for policy type StepScaling/,
      ],
      [
        { PolicyType: 'StepScaling', ...simple, ...steps([['0', '', '1']]) },
        /ScalingAdjustment is not supported for policy type StepScaling/,
      ],
      [
        { PolicyType: 'StepScaling', AdjustmentType: 'ChangeInCapacity', Cooldown: '60', ...steps([['0', '', '1']]) },
        /Cooldown is not supported for policy type StepScaling/,
      ],
      [
        {
          PolicyType: 'StepScaling',
          AdjustmentType: 'ChangeInCapacity',
          MetricAggregationType: 'Median',
          ...steps([['0', '', '1']]),
        },
        /Invalid MetricAggregationType &apos;Median&apos;/,
      ],
      [
        {
          PolicyType: 'StepScaling',
          AdjustmentType: 'ChangeInCapacity',
          ...steps([
            ['0', '10', '1'],
            ['5', '', '2'],
          ]),
        },
        /Step adjustments overlap/,
      ],
      [
        {
          PolicyType: 'StepScaling',
          AdjustmentType: 'ChangeInCapacity',
          ...steps([
            ['0', '10', '1'],
            ['20', '', '2'],
          ]),
        },
        /Step adjustments leave a gap/,
      ],
      [
        {
          PolicyType: 'StepScaling',
          AdjustmentType: 'ChangeInCapacity',
          ...steps(Array.from({ length: 21 }, (_, i) => [String(i), i === 20 ? '' : String(i + 1), '1'])),
        },
        /at most 20 step adjustments; got 21/,
      ],
      [
        { PolicyType: 'StepScaling', AdjustmentType: 'ChangeInCapacity', ...steps([['1e999', '', '1']]) },
        /MetricIntervalLowerBound: &apos;1e999&apos; is not a finite number/,
      ],
      [
        { PolicyType: 'StepScaling', AdjustmentType: 'ChangeInCapacity', ...steps([['zero', '', '1']]) },
        /is not a finite number/,
      ],
      [{ AdjustmentType: 'ChangeInCapacity', ScalingAdjustment: '99999999999' }, /Member must be an integer|32-bit/],
      [{ ...simple, Cooldown: 'soon' }, /Member must be an integer/],
      [{ ...simple, Cooldown: '-1' }, /greater than or equal to 0/],
      [{ ...simple, Enabled: 'maybe' }, /Member must be a boolean/],
      [{ PolicyType: 'PredictiveScaling' }, /PredictiveScaling policies are not supported/],
      [
        { ...simple, 'PredictiveScalingConfiguration.Mode': 'ForecastOnly' },
        /PredictiveScaling policies are not supported/,
      ],
      [{ PolicyType: 'TargetTrackingScaling' }, /TargetTrackingConfiguration is required/],
      [
        { PolicyType: 'TargetTrackingScaling', 'TargetTrackingConfiguration.TargetValue': 'NaN' },
        /TargetValue: &apos;NaN&apos; is not a finite number/,
      ],
      [
        { PolicyType: 'TargetTrackingScaling', 'TargetTrackingConfiguration.TargetValue': '50' },
        /exactly one of PredefinedMetricSpecification and CustomizedMetricSpecification/,
      ],
      [
        {
          PolicyType: 'TargetTrackingScaling',
          'TargetTrackingConfiguration.TargetValue': '50',
          'TargetTrackingConfiguration.PredefinedMetricSpecification.PredefinedMetricType': 'ALBRequestCountPerTarget',
        },
        /ALBRequestCountPerTarget is not supported/,
      ],
      [
        {
          PolicyType: 'TargetTrackingScaling',
          'TargetTrackingConfiguration.TargetValue': '50',
          'TargetTrackingConfiguration.CustomizedMetricSpecification.MetricName': 'm',
          'TargetTrackingConfiguration.CustomizedMetricSpecification.Namespace': 'n',
          'TargetTrackingConfiguration.CustomizedMetricSpecification.Statistic': 'Average',
          'TargetTrackingConfiguration.CustomizedMetricSpecification.Period': '45',
        },
        /Period must be 10, 30 or 60/,
      ],
      [
        {
          PolicyType: 'TargetTrackingScaling',
          'TargetTrackingConfiguration.TargetValue': '50',
          'TargetTrackingConfiguration.CustomizedMetricSpecification.Metrics.member.1.Id': 'e1',
          'TargetTrackingConfiguration.CustomizedMetricSpecification.Metrics.member.1.Expression': 'm1 * 2',
        },
        /Expression \(metric math\) is not supported/,
      ],
      [
        {
          PolicyType: 'TargetTrackingScaling',
          'TargetTrackingConfiguration.TargetValue': '50',
          'TargetTrackingConfiguration.CustomizedMetricSpecification.Metrics.member.1.Id': 'Upper',
        },
        /Id &apos;Upper&apos; must start with a lowercase letter/,
      ],
      [
        {
          PolicyType: 'TargetTrackingScaling',
          'TargetTrackingConfiguration.TargetValue': '50',
          ...Object.fromEntries(
            [1, 2].flatMap((n) => [
              [`TargetTrackingConfiguration.CustomizedMetricSpecification.Metrics.member.${n}.Id`, `m${n}`],
              [
                `TargetTrackingConfiguration.CustomizedMetricSpecification.Metrics.member.${n}.MetricStat.Metric.Namespace`,
                'n',
              ],
              [
                `TargetTrackingConfiguration.CustomizedMetricSpecification.Metrics.member.${n}.MetricStat.Metric.MetricName`,
                'm',
              ],
              [
                `TargetTrackingConfiguration.CustomizedMetricSpecification.Metrics.member.${n}.MetricStat.Stat`,
                'Average',
              ],
            ]),
          ),
        },
        /Exactly one metric query must have ReturnData true .*; 2 do/,
      ],
    ];
    for (const [fields, message] of cases) await expectError(put('bad', fields), 'ValidationError', message);
    await expectError(
      put('arn:aws:autoscaling:r:1:scalingPolicy:u:autoScalingGroupName/web:policyName/x', simple),
      'ValidationError',
      /reads as an ARN/,
    );
    await expectError(put('p', simple, 'nope'), 'ValidationError', /AutoScalingGroup &apos;nope&apos; not found/);
    assert.deepEqual(members(await ok({ Action: 'DescribePolicies' }), 'PolicyName'), []);
  });

  it('holds 50 policies per group (LimitExceeded), replaces within the quota, and pages DescribePolicies', async () => {
    await seedGroup(server.url, alice, 'many');
    for (let i = 0; i < 50; i++) await ok(put(`p${String(i).padStart(2, '0')}`, simple, 'many'));
    await expectError(
      put('p50', simple, 'many'),
      'LimitExceeded',
      /limit of 50 scaling policies for AutoScalingGroup many/,
    );
    await ok(put('p00', { AdjustmentType: 'ChangeInCapacity', ScalingAdjustment: '-1' }, 'many'));
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const body = await ok({
        Action: 'DescribePolicies',
        AutoScalingGroupName: 'many',
        MaxRecords: '20',
        ...(token ? { NextToken: token } : {}),
      });
      seen.push(...members(body, 'PolicyName'));
      token = members(body, 'NextToken')[0];
    } while (token);
    assert.equal(seen.length, 50);
    assert.deepEqual(seen, [...seen].sort());
    const first = await ok({ Action: 'DescribePolicies', AutoScalingGroupName: 'many', MaxRecords: '1' });
    const next = members(first, 'NextToken')[0]!;
    await expectError(
      { Action: 'DescribePolicies', MaxRecords: '1', NextToken: next },
      'InvalidNextToken',
      /was invalid/,
    );
    await expectError({ Action: 'DescribePolicies', MaxRecords: '101' }, 'ValidationError', /between 1 and 100/);
    await expectError(
      { Action: 'DescribePolicies', 'PolicyTypes.member.1': 'Magic' },
      'ValidationError',
      /Invalid PolicyTypes value/,
    );
    const filtered = await ok({
      Action: 'DescribePolicies',
      'PolicyNames.member.1': 'p07',
      'PolicyNames.member.2': 'unknown',
      'PolicyTypes.member.1': 'SimpleScaling',
    });
    assert.deepEqual(members(filtered, 'PolicyName'), ['p07']);
    const none = await ok({
      Action: 'DescribePolicies',
      'PolicyTypes.member.1': 'StepScaling',
      AutoScalingGroupName: 'many',
    });
    assert.deepEqual(members(none, 'PolicyName'), []);
    await ok({ Action: 'DeleteAutoScalingGroup', AutoScalingGroupName: 'many' });
    assert.deepEqual(
      members(await ok({ Action: 'DescribePolicies' }), 'AutoScalingGroupName').filter((g) => g === 'many'),
      [],
    );
  });

  it("ExecutePolicy applies a simple policy through SetDesiredCapacity with AWS's cause, and honours the cooldown when asked", async () => {
    await seedGroup(server.url, alice, 'exec', ['1', '10', '2']);
    await ok(put('up', { ...simple, Cooldown: '300' }, 'exec'));
    await ok({ Action: 'ExecutePolicy', AutoScalingGroupName: 'exec', PolicyName: 'up' });
    assert.equal(await desired('exec'), 4);
    const activities = await ok({ Action: 'DescribeScalingActivities', AutoScalingGroupName: 'exec' });
    assert.match(
      activities,
      /At \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ a user request executed policy up changing the desired capacity from 2 to 4\./,
    );
    await expectError(
      { Action: 'ExecutePolicy', AutoScalingGroupName: 'exec', PolicyName: 'up', HonorCooldown: 'true' },
      'ScalingActivityInProgress',
      /cooldown period of 300 seconds/,
    );
    assert.equal(await desired('exec'), 4);
    await ok(put('up', { ...simple, Cooldown: '0' }, 'exec'));
    await ok({ Action: 'ExecutePolicy', AutoScalingGroupName: 'exec', PolicyName: 'up', HonorCooldown: 'true' });
    assert.equal(await desired('exec'), 6);
    await ok(put('huge', { AdjustmentType: 'ChangeInCapacity', ScalingAdjustment: '1000' }, 'exec'));
    await ok({ Action: 'ExecutePolicy', AutoScalingGroupName: 'exec', PolicyName: 'huge' });
    assert.equal(await desired('exec'), 10, 'clamped to MaxSize');
    await ok(put('off', { ...simple, Enabled: 'false' }, 'exec'));
    await expectError(
      { Action: 'ExecutePolicy', AutoScalingGroupName: 'exec', PolicyName: 'off' },
      'ValidationError',
      /is disabled/,
    );
    await expectError(
      {
        Action: 'ExecutePolicy',
        AutoScalingGroupName: 'exec',
        PolicyName: 'huge',
        MetricValue: '1',
        BreachThreshold: '0',
      },
      'ValidationError',
      /only supported for policy type StepScaling/,
    );
    await expectError(
      { Action: 'ExecutePolicy', PolicyName: 'huge' },
      'ValidationError',
      /AutoScalingGroupName is required when PolicyName is a name/,
    );
  });

  it("ExecutePolicy picks a step policy's step by MetricValue − BreachThreshold, and refuses what matches no step", async () => {
    await seedGroup(server.url, alice, 'stepper', ['0', '10', '2']);
    await ok(
      put(
        's',
        {
          PolicyType: 'StepScaling',
          AdjustmentType: 'ChangeInCapacity',
          ...steps([
            ['0', '10', '1'],
            ['10', '', '3'],
          ]),
        },
        'stepper',
      ),
    );
    const run = (fields: Record<string, string>) => ({
      Action: 'ExecutePolicy',
      AutoScalingGroupName: 'stepper',
      PolicyName: 's',
      ...fields,
    });
    await ok(run({ MetricValue: '59', BreachThreshold: '50' }));
    assert.equal(await desired('stepper'), 3);
    await ok(run({ MetricValue: '60', BreachThreshold: '50' }));
    assert.equal(await desired('stepper'), 6);
    await expectError(
      run({ MetricValue: '49', BreachThreshold: '50' }),
      'ValidationError',
      /does not correspond to a step adjustment of policy s/,
    );
    await expectError(
      run({ MetricValue: '59' }),
      'ValidationError',
      /MetricValue and BreachThreshold are required for policy type StepScaling/,
    );
    await expectError(
      run({ MetricValue: 'Infinity', BreachThreshold: '1' }),
      'ValidationError',
      /MetricValue: &apos;Infinity&apos; is not a finite number/,
    );
    await expectError(
      run({ MetricValue: '59', BreachThreshold: '50', HonorCooldown: 'true' }),
      'ValidationError',
      /HonorCooldown is only supported for policy type SimpleScaling/,
    );
    await ok(
      put(
        'tt',
        {
          PolicyType: 'TargetTrackingScaling',
          'TargetTrackingConfiguration.TargetValue': '50',
          'TargetTrackingConfiguration.PredefinedMetricSpecification.PredefinedMetricType': 'ASGAverageNetworkIn',
        },
        'stepper',
      ),
    );
    await expectError(
      { Action: 'ExecutePolicy', AutoScalingGroupName: 'stepper', PolicyName: 'tt' },
      'ValidationError',
      /target tracking policy/,
    );
    assert.equal(await desired('stepper'), 6);
  });

  it('ExecutePolicy is held to the per-user instance limit', async () => {
    await seedGroup(server.url, alice, 'big', ['0', '100', '0']);
    await ok(put('all', { AdjustmentType: 'ExactCapacity', ScalingAdjustment: '50' }, 'big'));
    await expectError(
      { Action: 'ExecutePolicy', AutoScalingGroupName: 'big', PolicyName: 'all' },
      'LimitExceeded',
      /Instance limit exceeded: user alice may run at most 30 instances/,
    );
    assert.equal(await desired('big'), 0);
  });

  it("addresses policies by name or exact ARN; another account's ARN finds nothing; user B cannot see or touch A's", async () => {
    const body = await ok(put('mine', simple));
    const arn = members(body, 'PolicyARN')[0]!;
    const otherAccount = arn.replace(/^(arn:phantom:autoscaling:phantom:)[^:]+/, '$1999999999999');
    const otherUuid = arn.replace(/scalingPolicy:[^:]+:/, 'scalingPolicy:00000000-0000-0000-0000-000000000000:');
    const otherGroup = arn.replace('autoScalingGroupName/web', 'autoScalingGroupName/exec');
    for (const ref of [otherAccount, otherUuid, otherGroup, `${arn}x`])
      await expectError({ Action: 'DeletePolicy', PolicyName: ref }, 'ValidationError', /Policy name not found/);
    await expectError(
      { Action: 'ExecutePolicy', PolicyName: otherAccount },
      'ValidationError',
      /Policy name not found/,
    );
    await expectError(
      { Action: 'DeletePolicy', PolicyName: arn, AutoScalingGroupName: 'stepper' },
      'ValidationError',
      /Policy name not found/,
    );
    // Bob: same group name, alice's policy name and exact ARN.
    assert.deepEqual(members(await ok({ Action: 'DescribePolicies' }, bob), 'PolicyName'), []);
    assert.deepEqual(
      members(await ok({ Action: 'DescribePolicies', 'PolicyNames.member.1': arn }, bob), 'PolicyName'),
      [],
    );
    await expectError(
      { Action: 'DeletePolicy', AutoScalingGroupName: 'web', PolicyName: 'mine' },
      'ValidationError',
      /Policy name not found/,
      bob,
    );
    await expectError({ Action: 'DeletePolicy', PolicyName: arn }, 'ValidationError', /Policy name not found/, bob);
    await expectError({ Action: 'ExecutePolicy', PolicyName: arn }, 'ValidationError', /Policy name not found/, bob);
    await expectError(
      { Action: 'ExecutePolicy', AutoScalingGroupName: 'web', PolicyName: 'mine' },
      'ValidationError',
      /Policy name not found/,
      bob,
    );
    await expectError(
      { Action: 'DescribePolicies', AutoScalingGroupName: 'exec' },
      'ValidationError',
      /not found/,
      bob,
    );
    assert.equal(await desired('web', bob), 1);
    assert.equal(await desired('web'), 1);
    await ok({ Action: 'ExecutePolicy', PolicyName: arn });
    assert.equal(await desired('web'), 3);
    await ok({ Action: 'DeletePolicy', PolicyName: arn });
    await expectError({ Action: 'DeletePolicy', PolicyName: arn }, 'ValidationError', /Policy name not found/);
  });
});
