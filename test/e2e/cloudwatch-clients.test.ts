/**
 * The CloudWatch endpoint of the real `phantom server` through real clients: boto3 under the
 * pyenv Python (botocore 1.43 speaks AWS JSON 1.0 to CloudWatch, with x-amzn-query-mode),
 * Debian's aws-cli v2 (`/usr/bin/aws cloudwatch`, which speaks Query), boto 2 (Query) and
 * @aws-sdk/client-cloudwatch (AWS JSON 1.0). Each writes, reads back, lists, and gets a
 * modelled error; one user never sees another's metrics.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CloudWatchClient,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  InvalidParameterValueException,
  ListMetricsCommand,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  AWS_CLI,
  PYTHON,
  awsCliAvailable,
  boto2Available,
  clientEnv,
  pyenvBoto3,
  requireClient,
  run,
  type Credentials,
} from '../support/process.ts';
import { serverWithClientHome } from './clients.ts';

const boto3 = pyenvBoto3();
const needBoto3 = requireClient('boto3 (pyenv python3, CloudWatch over JSON)', boto3.available);
const needAws = requireClient('aws-cli v2 (/usr/bin/aws)', awsCliAvailable());
const needBoto2 = requireClient('boto 2 (/usr/bin/python3 + python3-boto)', boto2Available());

/** boto 2's CloudWatchConnection (Query, XML parsed with exact timestamp formats). */
const BOTO2_PROGRAM = `
import datetime, json, os, boto
from boto.ec2.cloudwatch import CloudWatchConnection
from boto.regioninfo import RegionInfo
c = CloudWatchConnection(os.environ['KEY_ID'], os.environ['SECRET'], is_secure=False, port=int(os.environ['PORT']),
    region=RegionInfo(name='us-east-1', endpoint='127.0.0.1'))
out = {'put': c.put_metric_data('Boto2/App', 'Hits', value=[4, 6], unit='Count', dimensions={'Host': 'x'})}
now = datetime.datetime.utcnow()
points = c.get_metric_statistics(600, now - datetime.timedelta(minutes=10), now + datetime.timedelta(minutes=1),
    'Hits', 'Boto2/App', ['Sum', 'SampleCount'], dimensions={'Host': 'x'})
out['points'] = [[p['Sum'], p['SampleCount'], p['Unit'], isinstance(p['Timestamp'], datetime.datetime)] for p in points]
out['metrics'] = [[m.namespace, m.name, dict(m.dimensions)] for m in c.list_metrics(namespace='Boto2/App')]
try:
    c.put_metric_data('AWS/X', 'Hits', value=1)
except boto.exception.BotoServerError as e:
    out['error'] = [e.status, e.error_code]
print(json.dumps(out))
`;

// The 604-datum put is over botocore's 10 KB threshold, so it arrives gzip-compressed.
const BOTO3_PROGRAM = `
import datetime, json, os, sys, boto3, botocore
cw = boto3.client('cloudwatch', endpoint_url=os.environ['PHANTOM_URL'], region_name='us-east-1',
    aws_access_key_id=os.environ['KEY_ID'], aws_secret_access_key=os.environ['SECRET'],
    config=botocore.config.Config(retries={'max_attempts': 1}))
now = datetime.datetime.now(datetime.timezone.utc)
ago = lambda s: now - datetime.timedelta(seconds=s)
dims = [{'Name': 'AutoScalingGroupName', 'Value': 'web'}]
out = {}
cw.put_metric_data(Namespace='Boto3/App', MetricData=[
    {'MetricName': 'Load', 'Dimensions': dims, 'Timestamp': ago(120), 'Value': 10, 'Unit': 'Percent'},
    {'MetricName': 'Load', 'Dimensions': dims, 'Timestamp': ago(120), 'Values': [20, 40], 'Counts': [1, 3], 'Unit': 'Percent'},
    {'MetricName': 'Load', 'Dimensions': dims, 'Timestamp': ago(120), 'StatisticValues': {'SampleCount': 2, 'Sum': 2, 'Minimum': 0.5, 'Maximum': 1.5}, 'Unit': 'Percent'},
    {'MetricName': 'Fast', 'Dimensions': dims, 'Timestamp': ago(30), 'Value': 5, 'StorageResolution': 1},
] + [{'MetricName': 'Many', 'Dimensions': [{'Name': 'Index', 'Value': str(i)}], 'Value': i} for i in range(600)])
stats = cw.get_metric_statistics(Namespace='Boto3/App', MetricName='Load', Dimensions=dims,
    StartTime=ago(900), EndTime=now, Period=300, Statistics=['SampleCount', 'Sum', 'Minimum', 'Maximum', 'Average'])
out['stats'] = [{k: v for k, v in p.items() if k != 'Timestamp'} for p in stats['Datapoints']]
fast = cw.get_metric_statistics(Namespace='Boto3/App', MetricName='Fast', Dimensions=dims,
    StartTime=ago(120), EndTime=now, Period=10, Statistics=['Sum'])
out['fast'] = [p['Sum'] for p in fast['Datapoints']]
data = cw.get_metric_data(MetricDataQueries=[{'Id': 'load', 'MetricStat': {'Metric': {'Namespace': 'Boto3/App', 'MetricName': 'Load', 'Dimensions': dims}, 'Period': 60, 'Stat': 'Maximum'}}],
    StartTime=ago(900), EndTime=now)
out['data'] = [(r['Id'], r['Values'], r['StatusCode']) for r in data['MetricDataResults']]
pages = cw.get_paginator('list_metrics').paginate(Namespace='Boto3/App', MetricName='Many')
out['listed'] = [len(p['Metrics']) for p in pages]
try:
    cw.put_metric_data(Namespace='AWS/EC2', MetricData=[{'MetricName': 'X', 'Value': 1}])
except cw.exceptions.InvalidParameterValueException as e:
    out['error'] = [e.response['Error']['Code'], e.response['ResponseMetadata']['HTTPStatusCode']]
try:
    cw.put_metric_data(Namespace='N', MetricData=[{'MetricName': 'X', 'Value': 1, 'Dimensions': [{'Name': 'd%d' % i, 'Value': 'v'} for i in range(31)]}])
except cw.exceptions.InvalidParameterValueException as e:
    out['tooManyDimensions'] = e.response['Error']['Code']
print(json.dumps(out))
`;

interface Boto3Out {
  stats: Record<string, unknown>[];
  fast: number[];
  data: [string, number[], string][];
  listed: number[];
  error: [string, number];
  tooManyDimensions: string;
}

describe('CloudWatch through real clients', () => {
  const fixture = serverWithClientHome('phantom-cloudwatch-');
  const env = (creds: Credentials, extra: Record<string, string> = {}) =>
    clientEnv(fixture.home.dir, {
      AWS_ACCESS_KEY_ID: creds.accessKeyId,
      AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
      AWS_DEFAULT_REGION: 'us-east-1',
      ...extra,
    });
  const sdk = (creds: Credentials) =>
    new CloudWatchClient({
      endpoint: fixture.server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
      maxAttempts: 1,
    });

  it(
    'boto3 (JSON): puts all three value forms, reads statistics and metric data, pages ListMetrics, gets modelled errors',
    needBoto3,
    async () => {
      const user = await fixture.server.addUser('boto3user');
      const r = await run(boto3.python!, ['-'], {
        env: env(user, { PHANTOM_URL: fixture.server.url, KEY_ID: user.accessKeyId, SECRET: user.secretAccessKey }),
        input: BOTO3_PROGRAM,
        timeoutMs: 120_000,
      });
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as Boto3Out;
      assert.deepEqual(out.stats, [
        { SampleCount: 7, Sum: 152, Minimum: 0.5, Maximum: 40, Average: 152 / 7, Unit: 'Percent' },
      ]);
      assert.deepEqual(out.fast, [5]);
      assert.deepEqual(out.data, [['load', [40], 'Complete']]);
      assert.deepEqual(out.listed, [500, 100]);
      assert.deepEqual(out.error, ['InvalidParameterValue', 400]);
      assert.equal(out.tooManyDimensions, 'InvalidParameterValue');
    },
  );

  it('aws-cli v2 (Query): put-metric-data, get-metric-statistics, list-metrics, and an error', needAws, async () => {
    const user = await fixture.server.addUser('cliuser');
    const aws = (args: string[]) =>
      run(AWS_CLI, ['cloudwatch', ...args, '--endpoint-url', fixture.server.url, '--output', 'json'], {
        env: env(user),
        timeoutMs: 120_000,
      });
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    const [a, b] = await Promise.all([
      aws([
        'put-metric-data',
        '--namespace',
        'Cli/App',
        '--metric-name',
        'Queue',
        '--dimensions',
        'Name=a b&c',
        '--value',
        '4',
        '--unit',
        'Count',
        '--timestamp',
        iso(now - 120_000),
      ]),
      aws([
        'put-metric-data',
        '--namespace',
        'Cli/App',
        '--metric-data',
        JSON.stringify([
          {
            MetricName: 'Queue',
            Dimensions: [{ Name: 'Name', Value: 'a b&c' }],
            Value: 6,
            Unit: 'Count',
            Timestamp: iso(now - 110_000),
          },
        ]),
      ]),
    ]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const stats = await aws([
      'get-metric-statistics',
      '--namespace',
      'Cli/App',
      '--metric-name',
      'Queue',
      '--dimensions',
      'Name=Name,Value=a b&c',
      '--start-time',
      iso(now - 900_000),
      '--end-time',
      iso(now),
      '--period',
      '900',
      '--statistics',
      'Sum',
      'Average',
      'SampleCount',
    ]);
    assert.equal(stats.code, 0, stats.stderr);
    const points = (JSON.parse(stats.stdout) as { Datapoints: Record<string, unknown>[] }).Datapoints;
    assert.deepEqual(
      points.map(({ Timestamp: _, ...rest }) => rest),
      [{ SampleCount: 2, Sum: 10, Average: 5, Unit: 'Count' }],
    );
    const list = await aws(['list-metrics', '--namespace', 'Cli/App']);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(JSON.parse(list.stdout), {
      Metrics: [{ Namespace: 'Cli/App', MetricName: 'Queue', Dimensions: [{ Name: 'Name', Value: 'a b&c' }] }],
    });
    const refused = await aws(['put-metric-data', '--namespace', 'AWS/EC2', '--metric-name', 'X', '--value', '1']);
    assert.equal(refused.code, 254);
    assert.match(
      refused.stderr,
      /An error occurred \(InvalidParameterValue\) when calling the PutMetricData operation: .*AWS\//,
    );
  });

  it('boto 2 (Query): put_metric_data, get_metric_statistics, list_metrics, and an error', needBoto2, async () => {
    const user = await fixture.server.addUser('boto2user');
    const { port } = new URL(fixture.server.url);
    const r = await run(PYTHON, ['-'], {
      env: env(user, { PORT: port, KEY_ID: user.accessKeyId, SECRET: user.secretAccessKey }),
      input: BOTO2_PROGRAM,
      timeoutMs: 120_000,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      put: true,
      points: [[10, 2, 'Count', true]],
      metrics: [['Boto2/App', 'Hits', { Host: ['x'] }]],
      error: [400, 'InvalidParameterValue'],
    });
  });

  it('@aws-sdk/client-cloudwatch (JSON): round trip, modelled error class, and isolation from another user', async () => {
    const [alice, bob] = await Promise.all([fixture.server.addUser('sdkalice'), fixture.server.addUser('sdkbob')]);
    const client = sdk(alice);
    const at = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 120_000);
    const Metric = { Namespace: 'Sdk/App', MetricName: 'Requests', Dimensions: [{ Name: 'Route', Value: '/x' }] };
    await client.send(
      new PutMetricDataCommand({
        Namespace: 'Sdk/App',
        MetricData: [
          { MetricName: 'Requests', Dimensions: Metric.Dimensions, Timestamp: at, Value: 3, Unit: 'Count' },
          {
            MetricName: 'Requests',
            Dimensions: Metric.Dimensions,
            Timestamp: new Date(at.getTime() + 5000),
            Value: 9,
            Unit: 'Count',
          },
        ],
      }),
    );
    const stats = await client.send(
      new GetMetricStatisticsCommand({
        ...Metric,
        StartTime: new Date(at.getTime() - 60_000),
        EndTime: new Date(at.getTime() + 60_000),
        Period: 60,
        Statistics: ['Sum', 'Maximum'],
      }),
    );
    assert.deepEqual(stats.Datapoints, [{ Timestamp: at, Sum: 12, Maximum: 9, Unit: 'Count' }]);
    const data = await client.send(
      new GetMetricDataCommand({
        MetricDataQueries: [{ Id: 'r', MetricStat: { Metric, Period: 60, Stat: 'Average' } }],
        StartTime: new Date(at.getTime() - 60_000),
        EndTime: new Date(at.getTime() + 60_000),
      }),
    );
    assert.deepEqual(
      data.MetricDataResults?.map((r) => [r.Id, r.Timestamps, r.Values, r.StatusCode]),
      [['r', [at], [6], 'Complete']],
    );
    const listed = await client.send(new ListMetricsCommand({ Namespace: 'Sdk/App' }));
    assert.deepEqual(listed.Metrics, [Metric]);
    await assert.rejects(
      client.send(
        new PutMetricDataCommand({
          Namespace: 'Sdk/App',
          MetricData: [{ MetricName: 'X', Value: 1, StorageResolution: 7 }],
        }),
      ),
      (e: unknown) => e instanceof InvalidParameterValueException && /StorageResolution/.test(e.message),
    );
    const other = sdk(bob);
    assert.deepEqual((await other.send(new ListMetricsCommand({}))).Metrics, []);
    const theirs = await other.send(
      new GetMetricStatisticsCommand({
        ...Metric,
        StartTime: new Date(at.getTime() - 60_000),
        EndTime: new Date(at.getTime() + 60_000),
        Period: 60,
        Statistics: ['Sum'],
      }),
    );
    assert.deepEqual(theirs.Datapoints, []);
  });
});
