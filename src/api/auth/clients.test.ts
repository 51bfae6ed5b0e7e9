/**
 * The real-client request shapes captured in aws-autoscaling-wire.md §14.5 (boto 2.49 SigV4 and
 * SigV2, boto3/aws-cli SigV4 and SigV2, aws-sdk-js-v3), rebuilt here and signed with the
 * independent client-side signers of test-signers.ts, then authenticated.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { FixedClock } from '../../contracts/clock.ts';
import type { RawRequest } from '../http/raw-request.ts';
import { ApiError } from '../query/errors.ts';
import { Authenticator, type AuthMethod } from './authenticate.ts';
import { makeRequest, paramsOf, tamperBody, withHeader } from './test-support.ts';
import { clientSignV2, clientSignV4, formEncode, type ClientV4Request } from './test-signers.ts';

const AK = 'AKIDEXAMPLE';
const SECRET = 'fakesecret/with+chars=';
const clock = new FixedClock(new Date('2026-11-24T23:53:50Z'));
const auth = new Authenticator({
  clock,
  lookup: async (ak) => (ak === AK ? { userId: 'u-1', secret: SECRET } : undefined),
});

async function expectOk(req: RawRequest, method: AuthMethod): Promise<void> {
  const id = await auth.authenticate(req, paramsOf(req));
  assert.deepEqual(id, { accessKeyId: AK, userId: 'u-1', method });
  const mutated = [withAction(req), ...(req.body.length > 0 || method !== 'sigv2' ? [tamperBody(req)] : [])];
  for (const bad of mutated) await assert.rejects(auth.authenticate(bad, paramsOf(bad)), ApiError);
  const otherHost = withHeader(req, 'host', 'evil.example:8445');
  await assert.rejects(
    auth.authenticate(otherHost, paramsOf(otherHost)),
    (e: unknown) => e instanceof ApiError && e.code === 'SignatureDoesNotMatch',
  );
}

/** Changes the Action value wherever it is carried (query or body). */
function withAction(req: RawRequest): RawRequest {
  const swap = (s: string) => s.replace(/Action=([A-Za-z]+)/, 'Action=$1x');
  return { ...req, rawQuery: swap(req.rawQuery), body: Buffer.from(swap(req.body.toString('utf8'))) };
}

type V4Shape = Omit<ClientV4Request, 'accessKeyId' | 'secret' | 'scopeDate'>;

function v4Request(shape: V4Shape, extraHeaders: Array<[string, string]>): RawRequest {
  const { rawQuery, authorization } = clientSignV4({
    ...shape,
    accessKeyId: AK,
    secret: SECRET,
    scopeDate: '20261124',
  });
  const headers: Array<[string, string]> = [
    ...extraHeaders,
    ...Object.entries(shape.signed),
    ['Authorization', authorization],
  ];
  return makeRequest({ method: shape.method, path: shape.path, rawQuery, headers, body: shape.body });
}

describe('boto 2.49 SigV4 (scope from the host name, "," without spaces)', () => {
  const boto2 = (
    method: 'GET' | 'POST',
    path: string,
    query: Array<[string, string]>,
    body: string,
    region = '0',
    service = '127',
  ) =>
    ({
      method,
      path,
      query,
      body,
      region,
      service,
      separator: ',',
      signed: { host: '127.0.0.1:8445', 'x-amz-date': '20261124T235347Z' },
    }) satisfies V4Shape;

  it('GET DescribeAutoScalingGroups with scope …/0/127/aws4_request', async () => {
    const req = v4Request(
      boto2(
        'GET',
        '/',
        [
          ['Action', 'DescribeAutoScalingGroups'],
          ['Version', '2011-01-01'],
        ],
        '',
      ),
      [
        ['User-Agent', 'Boto/2.49.0 Python/3.11.2 Linux/6.1'],
        ['Content-Length', '0'],
      ],
    );
    assert.match(
      req.headers.get('authorization')![0]!,
      /Credential=AKIDEXAMPLE\/20261124\/0\/127\/aws4_request,SignedHeaders=host;x-amz-date,Signature=[0-9a-f]{64}$/,
    );
    await expectOk(req, 'sigv4-header');
  });

  it('GET CreateAutoScalingGroup (mutation via GET, hotel:1 → hotel%3A1) on /api/autoscale/', async () => {
    const query: Array<[string, string]> = [
      ['Action', 'CreateAutoScalingGroup'],
      ['AutoScalingGroupName', 'asg1'],
      ['AvailabilityZones.member.1', 'hotel:1'],
      ['AvailabilityZones.member.2', 'sierra:2'],
      ['DesiredCapacity', '1'],
      ['LaunchConfigurationName', 'lc1'],
      ['MaxSize', '2'],
      ['MinSize', '0'],
      ['Version', '2011-01-01'],
    ];
    const req = v4Request(boto2('GET', '/api/autoscale/', query, ''), [['Content-Length', '0']]);
    assert.match(req.rawQuery, /hotel%3A1/);
    await expectOk(req, 'sigv4-header');
    await assert.rejects(auth.authenticate({ ...req, path: '/api/autoscale' }, paramsOf(req)), ApiError);
  });

  it('POST CreateLaunchConfiguration with a form body (charset=UTF-8 unsigned)', async () => {
    const body = formEncode([
      ['Action', 'CreateLaunchConfiguration'],
      ['ImageId', 'ami-12345678'],
      ['InstanceType', 'm1.small'],
      ['SecurityGroups.member.1', 'default'],
      ['UserData', 'IyEvYmluL3NoCmVjaG8gaGVsbG8gd29ybGQ='],
      ['Version', '2011-01-01'],
    ]);
    const req = v4Request(boto2('POST', '/', [], body), [
      ['Content-Type', 'application/x-www-form-urlencoded; charset=UTF-8'],
      ['Content-Length', String(body.length)],
    ]);
    assert.match(body, /UserData=IyEv[^&]*%3D/);
    await expectOk(req, 'sigv4-header');
  });

  it('localhost puts …/localhost/localhost/… in the scope', async () => {
    const shape = {
      ...boto2('GET', '/', [['Action', 'DescribeAutoScalingGroups']], '', 'localhost', 'localhost'),
      signed: { host: 'localhost:8445', 'x-amz-date': '20261124T235347Z' },
    };
    await expectOk(v4Request(shape, []), 'sigv4-header');
  });
});

describe('boto3 1.26 / aws-cli SigV4 (", " separators, content-type signed, + for space)', () => {
  const body =
    'Action=DescribeAutoScalingGroups&Version=2011-01-01&AutoScalingGroupNames.member.1=asg+1&AutoScalingGroupNames.member.2=a%2Bb';
  for (const path of ['/', '/api/autoscale']) {
    it(`POST ${path}`, async () => {
      const shape: V4Shape = {
        method: 'POST',
        path,
        query: [],
        body,
        region: 'us-east-1',
        service: 'autoscaling',
        separator: ', ',
        signed: {
          'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
          host: '127.0.0.1:8445',
          'x-amz-date': '20261124T235350Z',
        },
      };
      const req = v4Request(shape, [
        ['Content-Length', String(body.length)],
        ['User-Agent', 'Boto3/1.26.27'],
      ]);
      assert.deepEqual(paramsOf(req).slice(2), [
        ['AutoScalingGroupNames.member.1', 'asg 1'],
        ['AutoScalingGroupNames.member.2', 'a+b'],
      ]);
      await expectOk(req, 'sigv4-header');
    });
  }
});

describe('aws-sdk-js-v3 SigV4 with 8 signed headers', () => {
  it('POST CreateAutoScalingGroup with x-amz-content-sha256', async () => {
    const body =
      'Action=CreateAutoScalingGroup&Version=2011-01-01&AutoScalingGroupName=asg1&MinSize=0&MaxSize=2&AvailabilityZones.member.1=hotel%3A1&Tags.member.1.Key=k&Tags.member.1.Value=v%20w';
    const shape: V4Shape = {
      method: 'POST',
      path: '/',
      query: [],
      body,
      region: 'us-east-1',
      service: 'autoscaling',
      separator: ', ',
      signed: {
        'amz-sdk-invocation-id': '803caf39-1111-4222-8333-444455556666',
        'amz-sdk-request': 'attempt=1; max=1',
        'content-length': String(body.length),
        'content-type': 'application/x-www-form-urlencoded',
        host: '127.0.0.1:8445',
        'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'),
        'x-amz-date': '20261124T235351Z',
        'x-amz-user-agent': 'aws-sdk-js/3.1168.0',
      },
    };
    const req = v4Request(shape, [['user-agent', 'aws-sdk-js/3.1168.0']]);
    assert.equal(req.headers.get('authorization')![0]!.split('SignedHeaders=')[1]!.split(',')[0]!.split(';').length, 8);
    await expectOk(req, 'sigv4-header');
  });
});

describe('SigV2 clients', () => {
  const base = (extra: Array<[string, string]> = []): Array<[string, string]> => [
    ['AWSAccessKeyId', AK],
    ['Action', 'DescribeAutoScalingGroups'],
    ['SignatureMethod', 'HmacSHA256'],
    ['SignatureVersion', '2'],
    ['Timestamp', '2026-11-24T23:53:47Z'],
    ['Version', '2011-01-01'],
    ...extra,
  ];

  it('boto 2 forced to SigV2: GET /api/autoscale/, Host without port, port-less host signed', async () => {
    const params = base();
    const signature = clientSignV2({
      method: 'GET',
      signedHost: '127.0.0.1',
      path: '/api/autoscale/',
      params,
      secret: SECRET,
      algorithm: 'HmacSHA256',
    });
    const rawQuery = formEncode([...params, ['Signature', signature]]);
    const req = makeRequest({
      method: 'GET',
      path: '/api/autoscale/',
      rawQuery,
      headers: [
        ['Host', '127.0.0.1'],
        ['Content-Length', '0'],
      ],
    });
    assert.match(rawQuery, /Timestamp=2026-11-24T23%3A53%3A47Z/);
    await expectOk(req, 'sigv2');
  });

  it('boto3 signature_version=v2: POST with params in the body, host:port signed', async () => {
    const params: Array<[string, string]> = [
      ['Action', 'DescribeAutoScalingGroups'],
      ['Version', '2011-01-01'],
      ['AutoScalingGroupNames.member.1', 'asg 1'],
      ['AWSAccessKeyId', AK],
      ['SignatureVersion', '2'],
      ['SignatureMethod', 'HmacSHA256'],
      ['Timestamp', '2026-11-24T23:53:48Z'],
    ];
    const signature = clientSignV2({
      method: 'POST',
      signedHost: '127.0.0.1:8445',
      path: '/',
      params,
      secret: SECRET,
      algorithm: 'HmacSHA256',
    });
    const body = formEncode([...params, ['Signature', signature]], true);
    assert.match(body, /asg\+1/);
    const req = makeRequest({
      method: 'POST',
      path: '/',
      body,
      headers: [
        ['Host', '127.0.0.1:8445'],
        ['Content-Type', 'application/x-www-form-urlencoded; charset=utf-8'],
      ],
    });
    await expectOk(req, 'sigv2');
  });
});
