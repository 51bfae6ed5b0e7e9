import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { XMLValidator } from 'fast-xml-parser';
import { AWS_ACTIONS, IMPLEMENTED_ACTIONS } from '../../src/api/autoscaling/index.ts';
import { startTestServer, type TestCredentials, type TestServer } from '../support/harness.ts';
import { formEncode, send, signV4, type WireRequest } from '../support/sign.ts';

const RUNS = Number(process.env.PHANTOM_FUZZ_RUNS ?? 2500);

const NAMES = [
  'AutoScalingGroupName',
  'LaunchConfigurationName',
  'MinSize',
  'MaxSize',
  'DesiredCapacity',
  'ImageId',
  'InstanceType',
  'UserData',
  'InstanceId',
  'ShouldDecrementDesiredCapacity',
  'HealthStatus',
  'MaxRecords',
  'NextToken',
  'ForceDelete',
  'HonorCooldown',
  'DefaultCooldown',
  'ScheduledActionName',
  'StartTime',
  'EndTime',
  'Time',
  'Recurrence',
  'TimeZone',
  'PolicyName',
  'PolicyType',
  'AdjustmentType',
  'ScalingAdjustment',
  'MinAdjustmentMagnitude',
  'MetricAggregationType',
  'Cooldown',
  'MetricValue',
  'BreachThreshold',
  'TargetTrackingConfiguration.TargetValue',
  'TargetTrackingConfiguration.PredefinedMetricSpecification.PredefinedMetricType',
];
const LISTS = [
  'AvailabilityZones',
  'AutoScalingGroupNames',
  'LaunchConfigurationNames',
  'InstanceIds',
  'ScalingProcesses',
  'TerminationPolicies',
  'SecurityGroups',
  'ScheduledActionNames',
  'PolicyNames',
  'PolicyTypes',
];
const STRUCT_LISTS = ['Tags', 'Filters', 'ScheduledUpdateGroupActions', 'StepAdjustments'];
const FIELDS = [
  'Key',
  'Value',
  'ResourceId',
  'ResourceType',
  'PropagateAtLaunch',
  'Name',
  'Values.member.1',
  'ScheduledActionName',
  'Recurrence',
  'StartTime',
  'DesiredCapacity',
  'MetricIntervalLowerBound',
  'MetricIntervalUpperBound',
  'ScalingAdjustment',
];

const value = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom(
    '0',
    '-1',
    '1',
    '2147483648',
    '99999999999999999999',
    'true',
    'FALSE',
    '',
    'hotel:1,sierra:2',
    'error_overflow_n_preserving',
    'lc@hotel',
    'arn:aws:autoscaling:x:1:autoScalingGroup:u:autoScalingGroupName/g',
    '2099-01-01T00:00:00Z',
    '2000-01-01T00:00:00Z',
    '0 0 31 2 *',
    '*/5 * * * *',
    'Etc/GMT+9',
  ),
  fc.integer({ min: -5, max: 200 }).map(String),
);
const paramName = fc.oneof(
  fc.constantFrom(...NAMES),
  fc
    .tuple(fc.constantFrom(...LISTS), fc.constantFrom('1', '2', '0', '-1', '1001', 'x', ''))
    .map(([l, i]) => `${l}.member.${i}`),
  fc
    .tuple(fc.constantFrom(...STRUCT_LISTS), fc.constantFrom('1', '2', '51'), fc.constantFrom(...FIELDS))
    .map(([l, i, f]) => `${l}.member.${i}.${f}`),
  fc.constantFrom(...LISTS, ...STRUCT_LISTS),
  fc.string({ maxLength: 12 }),
);
const action = fc.oneof(
  fc.constantFrom(...IMPLEMENTED_ACTIONS.keys()),
  fc.constantFrom(...AWS_ACTIONS),
  fc.string({ maxLength: 30 }),
);

/** How the generated request is spoiled (or not) after signing. */
const spoil = fc.constantFrom(
  'none',
  'none',
  'none',
  'flip-body',
  'flip-query',
  'drop-auth',
  'garbage-auth',
  'raw-garbage-body',
  'bad-content-type',
  'sigv2-junk',
);

const request = fc.record({
  action,
  params: fc.array(fc.tuple(paramName, value), { maxLength: 12 }),
  method: fc.constantFrom('GET' as const, 'POST' as const),
  spoil,
  flipAt: fc.nat(),
  junk: fc.string({ maxLength: 200 }),
});

function flip(text: string, at: number): string {
  if (text.length === 0) return 'x';
  const i = at % text.length;
  return text.slice(0, i) + String.fromCharCode(text.charCodeAt(i) ^ 1) + text.slice(i + 1);
}

async function build(
  url: string,
  creds: TestCredentials,
  r: {
    action: string;
    params: Array<[string, string]>;
    method: 'GET' | 'POST';
    spoil: string;
    flipAt: number;
    junk: string;
  },
): Promise<WireRequest> {
  const params = Object.fromEntries([['Action', r.action], ...r.params]);
  const signed = await signV4(url, creds, params, { method: r.method });
  switch (r.spoil) {
    case 'flip-body':
      return { ...signed, body: flip(signed.body, r.flipAt) };
    case 'flip-query':
      return { ...signed, query: flip(signed.query, r.flipAt) };
    case 'drop-auth': {
      const headers = { ...signed.headers };
      delete headers.authorization;
      return { ...signed, headers };
    }
    case 'garbage-auth':
      return { ...signed, headers: { ...signed.headers, authorization: r.junk.replace(/[\r\n]/g, '') } };
    case 'raw-garbage-body':
      return { ...signed, method: 'POST', body: r.junk };
    case 'bad-content-type':
      return { ...signed, headers: { ...signed.headers, 'content-type': 'text/plain' } };
    case 'sigv2-junk':
      return {
        method: 'GET',
        path: '/',
        query: formEncode({
          ...params,
          AWSAccessKeyId: creds.accessKeyId,
          SignatureVersion: '2',
          SignatureMethod: 'HmacSHA256',
          Timestamp: new Date().toISOString(),
          Signature: r.junk,
        }),
        headers: {},
        body: '',
      };
    default:
      return signed;
  }
}

describe('fuzz: generated and mutated requests', () => {
  let server: TestServer;
  let creds: TestCredentials;
  before(async () => {
    server = await startTestServer();
    creds = await server.addUser('fuzzer');
    await send(
      server.url,
      await signV4(server.url, creds, {
        Action: 'CreateLaunchConfiguration',
        LaunchConfigurationName: 'lc@hotel',
        ImageId: 'i',
        InstanceType: 't',
      }),
    );
  });
  after(() => server.close());

  it(`${RUNS} requests yield only valid responses or XML errors with 4xx; the server stays up`, async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const res = await send(server.url, await build(server.url, creds, r));
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        assert.ok(res.status === 200 || (res.status >= 400 && res.status < 500), `status ${res.status}: ${res.body}`);
        assert.equal(XMLValidator.validate(res.body), true, `not well-formed XML: ${res.body}`);
        assert.match(
          res.body,
          res.status === 200
            ? /<(\w+)Response xmlns="http:\/\/autoscaling\.amazonaws\.com\/doc\/2011-01-01\/">[\s\S]*<RequestId>/
            : /<ErrorResponse xmlns=[\s\S]*<Code>\w+<\/Code>/,
        );
        assert.match(res.requestId ?? '', /^[0-9a-f-]{36}$/);
      }),
      { numRuns: RUNS },
    );
    // Both outcomes occurred, so the generator reached real handlers as well as refusals.
    assert.ok((statuses.get(200) ?? 0) > RUNS / 50, JSON.stringify([...statuses]));
    assert.ok((statuses.get(403) ?? 0) > 0 && (statuses.get(400) ?? 0) > 0, JSON.stringify([...statuses]));
    const alive = await send(server.url, await signV4(server.url, creds, { Action: 'DescribeLaunchConfigurations' }));
    assert.equal(alive.status, 200);
  });
});
