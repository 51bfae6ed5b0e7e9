/**
 * Metric-driven scaling through unmodified Python and CLI clients, on an in-process server (the
 * controller on a zero-boot simulated site, a FixedClock near the real time: the clients sign
 * with it; the alarm rounds are driven by hand):
 * - boto3 (pyenv, CloudWatch over AWS JSON 1.0): a target tracking policy on a customized
 *   10-second metric, its two alarms in DescribePolicies and DescribeAlarms, PutMetricData above
 *   the target → scale-out;
 * - aws-cli v2 (Query for both services): a step policy linked by put-metric-alarm, triggered by
 *   set-alarm-state with reason data; a simple policy run by execute-policy.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateAutoScalingGroupCommand, CreateLaunchConfigurationCommand } from '@aws-sdk/client-auto-scaling';
import { FixedClock } from '../../src/contracts/clock.ts';
import { eventually } from '../support/eventually.ts';
import { startTestServer, type TestCredentials, type TestServer } from '../support/harness.ts';
import { AWS_CLI, awsCliAvailable, clientEnv, pyenvBoto3, requireClient, run, scratchDir } from '../support/process.ts';

const boto3 = pyenvBoto3();

const BOTO3_TARGET_TRACKING = `
import datetime, json, os, boto3, botocore
kw = dict(endpoint_url=os.environ['PHANTOM_URL'], region_name='us-east-1', aws_access_key_id=os.environ['KEY_ID'],
    aws_secret_access_key=os.environ['SECRET'], config=botocore.config.Config(retries={'max_attempts': 1}))
asg, cw = boto3.client('autoscaling', **kw), boto3.client('cloudwatch', **kw)
dims = [{'Name': 'AutoScalingGroupName', 'Value': 'web'}]
p = asg.put_scaling_policy(AutoScalingGroupName='web', PolicyName='backlog50', PolicyType='TargetTrackingScaling',
    EstimatedInstanceWarmup=0, TargetTrackingConfiguration={'TargetValue': 50, 'CustomizedMetricSpecification': {
        'Namespace': 'App', 'MetricName': 'Backlog', 'Dimensions': dims, 'Statistic': 'Average', 'Period': 10}})
out = {'arn': p['PolicyARN'], 'alarms': sorted(a['AlarmName'].rsplit('-', 5)[0] for a in p['Alarms'])}
out['described'] = [[s['PolicyARN'], len(s['Alarms'])] for s in asg.describe_policies(AutoScalingGroupName='web')['ScalingPolicies']]
out['alarmActions'] = [a['AlarmActions'] for a in cw.describe_alarms(AlarmNamePrefix='TargetTracking-web-')['MetricAlarms']]
at = float(os.environ['AT'])
for i in range(4):
    cw.put_metric_data(Namespace='App', MetricData=[{'MetricName': 'Backlog', 'Dimensions': dims, 'Value': 150.0,
        'Timestamp': datetime.datetime.fromtimestamp(at + 10 * i, datetime.timezone.utc), 'StorageResolution': 1}])
print(json.dumps(out))
`;

describe('metric-driven scaling through boto3 and aws-cli', () => {
  const clock = new FixedClock(new Date(Math.floor(Date.now() / 10_000) * 10_000 + 1000));
  const home = scratchDir('phantom-scaling-clients-');
  let server: TestServer;
  let creds: TestCredentials;

  before(async () => {
    writeFileSync(join(home.dir, 'sites.yaml'), 'sites:\n  hotel:\n    driver: sim\n');
    server = await startTestServer({
      clock,
      env: {
        PHANTOM_CONTROLLER: 'on',
        PHANTOM_RECONCILE_INTERVAL_MS: '200',
        PHANTOM_CONFIG: join(home.dir, 'sites.yaml'),
      },
    });
    creds = await server.addUser('cleo');
    const asg = server.sdk(creds);
    await asg.send(
      new CreateLaunchConfigurationCommand({ LaunchConfigurationName: 'web', ImageId: 'img', InstanceType: 't' }),
    );
    await asg.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'web',
        LaunchConfigurationName: 'web',
        MinSize: 1,
        MaxSize: 10,
        DesiredCapacity: 1,
        AvailabilityZones: ['hotel'],
      }),
    );
    await eventually('the first instance in service', async () => {
      const owner = (await server.running.dataDir.store.getUserByName('cleo'))!.id;
      const [i] = await server.running.dataDir.store.listInstances(owner, { groupName: 'web' });
      return i?.lifecycleState === 'InService' ? i : undefined;
    });
  });
  after(async () => {
    await server.close();
    home.remove();
  });

  const env = (extra: Record<string, string> = {}) =>
    clientEnv(home.dir, {
      AWS_ACCESS_KEY_ID: creds.accessKeyId,
      AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
      AWS_DEFAULT_REGION: 'us-east-1',
      ...extra,
    });
  const desired = async () => {
    const owner = (await server.running.dataDir.store.getUserByName('cleo'))!.id;
    return (await server.running.dataDir.store.getGroup(owner, 'web'))!.desiredCapacity;
  };

  it(
    'boto3 (JSON): target tracking on a 10-second metric, its alarms, and a scale-out on pushed values',
    requireClient('boto3 (pyenv python3, CloudWatch over JSON)', boto3.available),
    async () => {
      const r = await run(boto3.python!, ['-'], {
        env: env({
          PHANTOM_URL: server.url,
          KEY_ID: creds.accessKeyId,
          SECRET: creds.secretAccessKey,
          AT: String(clock.now().getTime() / 1000),
        }),
        input: BOTO3_TARGET_TRACKING,
        timeoutMs: 120_000,
      });
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as { arn: string; alarms: string[]; described: unknown; alarmActions: unknown };
      assert.deepEqual(out.alarms, ['TargetTracking-web-AlarmHigh', 'TargetTracking-web-AlarmLow']);
      assert.deepEqual(out.described, [[out.arn, 2]]);
      assert.deepEqual(out.alarmActions, [[out.arn], [out.arn]]);
      clock.advance(40_000);
      await server.running.loops!.alarms.round();
      assert.equal(await desired(), 3, 'ceil(1 × 150 / 50)');
    },
  );

  it(
    'aws-cli v2 (Query): a step policy linked by put-metric-alarm and set-alarm-state; execute-policy',
    requireClient('aws-cli v2 (/usr/bin/aws)', awsCliAvailable()),
    async () => {
      const aws = async (service: string, ...args: string[]) => {
        const result = await run(AWS_CLI, [service, ...args, '--endpoint-url', server.url, '--output', 'json'], {
          env: env(),
          timeoutMs: 120_000,
        });
        assert.equal(result.code, 0, `${args[0]}: ${result.stderr}`);
        return result.stdout.trim() === '' ? undefined : (JSON.parse(result.stdout) as Record<string, unknown>);
      };
      const step = await aws(
        'autoscaling',
        'put-scaling-policy',
        ...['--auto-scaling-group-name', 'web', '--policy-name', 'bump', '--policy-type', 'StepScaling'],
        ...['--adjustment-type', 'ChangeInCapacity', '--estimated-instance-warmup', '0', '--step-adjustments'],
        'MetricIntervalLowerBound=0,MetricIntervalUpperBound=10,ScalingAdjustment=1',
        'MetricIntervalLowerBound=10,ScalingAdjustment=2',
      );
      await aws(
        'cloudwatch',
        'put-metric-alarm',
        ...['--alarm-name', 'queue-deep', '--namespace', 'App', '--metric-name', 'Queue', '--statistic', 'Maximum'],
        ...['--period', '60', '--evaluation-periods', '1', '--threshold', '100'],
        ...['--comparison-operator', 'GreaterThanThreshold', '--alarm-actions', String(step!.PolicyARN)],
      );
      const before = await desired();
      await aws(
        'cloudwatch',
        'set-alarm-state',
        ...['--alarm-name', 'queue-deep', '--state-value', 'ALARM', '--state-reason', 'testing'],
        ...['--state-reason-data', JSON.stringify({ version: '1.0', recentDatapoints: [115] })],
      );
      await server.running.loops!.alarms.round();
      assert.equal(await desired(), before + 2, '115 is 15 above the threshold: the second step');
      const alarms = await aws('cloudwatch', 'describe-alarms', '--alarm-names', 'queue-deep');
      const [alarm] = alarms!.MetricAlarms as Array<{ AlarmActions: string[] }>;
      assert.deepEqual(alarm!.AlarmActions, [step!.PolicyARN]);
      await aws(
        'autoscaling',
        'put-scaling-policy',
        ...['--auto-scaling-group-name', 'web', '--policy-name', 'plus-one'],
        ...['--adjustment-type', 'ChangeInCapacity', '--scaling-adjustment', '1'],
      );
      await aws('autoscaling', 'execute-policy', '--auto-scaling-group-name', 'web', '--policy-name', 'plus-one');
      assert.equal(await desired(), before + 3);
    },
  );
});
