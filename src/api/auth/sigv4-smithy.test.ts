/**
 * Differential test: requests signed by @smithy/signature-v4 (the aws-sdk-js-v3 signer) must
 * verify through the Authenticator, and tampered ones must be rejected with the right code.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FixedClock } from '../../contracts/clock.ts';
import type { RawRequest } from '../http/raw-request.ts';
import { ApiError, type AwsErrorCode } from '../query/errors.ts';
import { Authenticator } from './authenticate.ts';
import { flipChar, makeRequest, paramsOf, tamperBody, withHeader } from './test-support.ts';
import { pyQuote } from './test-signers.ts';

const smithy = await Promise.all([
  import('@smithy/signature-v4'),
  import('@smithy/hash-node'),
  import('@smithy/protocol-http'),
]).catch(() => undefined);
const SKIP = smithy
  ? false
  : '@smithy/signature-v4, @smithy/hash-node or @smithy/protocol-http is not installed (devDependencies); cross-check skipped';

const NOW = new Date('2026-11-25T12:00:00Z');
const AK = 'AKIDSMITHY';
const SECRET = 'fakesecret/with+chars=';

interface Spec {
  method?: 'GET' | 'POST';
  host?: string;
  path?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  signingDate?: Date;
  secret?: string;
  presignExpires?: number;
}

/** Signs with smithy and turns the result into the RawRequest a server would receive. */
async function signed(spec: Spec): Promise<RawRequest> {
  if (!smithy) throw new Error('smithy missing');
  const [{ SignatureV4 }, { Hash }, { HttpRequest }] = smithy;
  const signer = new SignatureV4({
    credentials: { accessKeyId: AK, secretAccessKey: spec.secret ?? SECRET },
    region: 'us-east-1',
    service: 'autoscaling',
    sha256: Hash.bind(null, 'sha256'),
    applyChecksum: false,
  });
  const body = spec.body ?? '';
  const request = new HttpRequest({
    method: spec.method ?? 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    path: spec.path ?? '/',
    query: spec.query ?? {},
    headers: { host: spec.host ?? '127.0.0.1:8445', ...(spec.headers ?? {}) },
    body: body === '' ? undefined : body,
  });
  const signingDate = spec.signingDate ?? NOW;
  const out = spec.presignExpires
    ? await signer.presign(request, { signingDate, expiresIn: spec.presignExpires })
    : await signer.sign(request, { signingDate });
  const rawQuery = Object.entries(out.query ?? {})
    .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${pyQuote(k)}=${pyQuote(String(x ?? ''))}`))
    .join('&');
  return makeRequest({ method: out.method, path: out.path, rawQuery, headers: Object.entries(out.headers), body });
}

const clock = new FixedClock(NOW);
const auth = new Authenticator({
  clock,
  lookup: async (ak) => (ak === AK ? { userId: 'user-1', secret: SECRET } : undefined),
});

async function verify(req: RawRequest) {
  return auth.authenticate(req, paramsOf(req));
}

async function rejectsWith(req: RawRequest, code: AwsErrorCode): Promise<void> {
  await assert.rejects(verify(req), (e: unknown) => e instanceof ApiError && e.code === code);
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
const BODIES: Record<string, string> = {
  'spaces as +, and %2B':
    'Action=DescribeAutoScalingGroups&Version=2011-01-01&AutoScalingGroupNames.member.1=asg+1&AutoScalingGroupNames.member.2=a%2Bb',
  'spaces as %20': 'Action=CreateOrUpdateTags&Version=2011-01-01&Tags.member.1.Key=k&Tags.member.1.Value=v%20w',
  'unicode and reserved characters':
    'Action=X&Version=2011-01-01&Name=%E2%9C%93%20%C3%A9%F0%9F%98%80&Other=%21%27%28%29%2A~',
  'an empty list X=': 'Action=UpdateAutoScalingGroup&Version=2011-01-01&AvailabilityZones=&VPCZoneIdentifier=',
};

describe('@smithy/signature-v4 cross-check', { skip: SKIP }, () => {
  for (const [label, body] of Object.entries(BODIES)) {
    it(`verifies a POST form body with ${label}`, async () => {
      const id = await verify(await signed({ body, headers: FORM }));
      assert.deepEqual(id, { accessKeyId: AK, userId: 'user-1', method: 'sigv4-header' });
    });
  }

  it("verifies a GET whose query has spaces, +, %2B, unicode, !'()* and an empty value", async () => {
    const query = {
      Action: 'DescribeTags',
      Version: '2011-01-01',
      'Filters.member.1.Values.member.1': 'a b+c%2B',
      Name: 'ሴ✓ é',
      Odd: "!'()*~",
      'Empty.member': '',
    };
    const req = await signed({ method: 'GET', query });
    assert.match(req.rawQuery, /a%20b%2Bc%252B/);
    assert.equal((await verify(req)).method, 'sigv4-header');
  });

  for (const path of ['/api/autoscale/', '/api/autoscale', '/a%20b/c%2Fd', '/x/./y/../z']) {
    it(`verifies the path ${path} (non-S3 double encoding and normalisation)`, async () => {
      assert.equal((await verify(await signed({ path, body: 'Action=X', headers: FORM }))).userId, 'user-1');
    });
  }

  it('verifies the JS SDK 8-signed-header shape with x-amz-content-sha256', async () => {
    const body = 'Action=CreateAutoScalingGroup&Version=2011-01-01&AutoScalingGroupName=asg1&Tags.member.1.Value=v%20w';
    const { createHash } = await import('node:crypto');
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': String(Buffer.byteLength(body)),
      'x-amz-user-agent': 'aws-sdk-js/3.1168.0',
      'amz-sdk-invocation-id': '803caf39-0000-4000-8000-000000000000',
      'amz-sdk-request': 'attempt=1; max=1',
      'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'),
      'user-agent': 'aws-sdk-js/3.1168.0 ua/2.1',
    };
    const req = await signed({ body, headers });
    const authz = req.headers.get('authorization')![0]!;
    assert.match(
      authz,
      /SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-user-agent, /,
    );
    await verify(req);
    await rejectsWith(tamperBody(req), 'SignatureDoesNotMatch');
    const forged = Buffer.from(body.replace('asg1', 'asg2'));
    const rehashed = withHeader(
      { ...req, body: forged },
      'x-amz-content-sha256',
      createHash('sha256').update(forged).digest('hex'),
    );
    await rejectsWith(rehashed, 'SignatureDoesNotMatch');
  });

  it('rejects an UNSIGNED-PAYLOAD signature', async () => {
    const req = await signed({ body: 'Action=X', headers: { ...FORM, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
    await rejectsWith(req, 'SignatureDoesNotMatch');
  });

  describe('rejections', () => {
    const body = BODIES['spaces as +, and %2B']!;
    it('wrong secret → SignatureDoesNotMatch', async () => {
      await rejectsWith(await signed({ body, headers: FORM, secret: 'other-secret' }), 'SignatureDoesNotMatch');
    });
    it('one body byte changed → SignatureDoesNotMatch', async () => {
      await rejectsWith(tamperBody(await signed({ body, headers: FORM })), 'SignatureDoesNotMatch');
    });
    it('changed Host (port dropped, or other host) → SignatureDoesNotMatch', async () => {
      const req = await signed({ body, headers: FORM });
      await rejectsWith(withHeader(req, 'host', '127.0.0.1'), 'SignatureDoesNotMatch');
      await rejectsWith(withHeader(req, 'host', '127.0.0.2:8445'), 'SignatureDoesNotMatch');
    });
    it('changed query → SignatureDoesNotMatch', async () => {
      const req = await signed({ method: 'GET', query: { Action: 'DescribeTags', Version: '2011-01-01' } });
      await rejectsWith({ ...req, rawQuery: flipChar(req.rawQuery, 7) }, 'SignatureDoesNotMatch');
      await rejectsWith({ ...req, rawQuery: `${req.rawQuery}&Extra=1` }, 'SignatureDoesNotMatch');
    });
    it('X-Amz-Date 16 minutes in the past or future → RequestExpired; 14 minutes is accepted', async () => {
      for (const minutes of [16, -16]) {
        const req = await signed({ body, headers: FORM, signingDate: new Date(NOW.getTime() - minutes * 60_000) });
        await assert.rejects(
          verify(req),
          (e: unknown) =>
            e instanceof ApiError &&
            e.code === 'RequestExpired' &&
            /Signature (expired|not yet current)/.test(e.message),
        );
      }
      for (const minutes of [14, -14]) {
        await verify(await signed({ body, headers: FORM, signingDate: new Date(NOW.getTime() - minutes * 60_000) }));
      }
    });
    it('scope date different from X-Amz-Date → SignatureDoesNotMatch', async () => {
      const req = await signed({ body, headers: FORM });
      const authz = req.headers.get('authorization')![0]!.replace('/20261125/', '/20261124/');
      await assert.rejects(
        verify(withHeader(req, 'authorization', authz)),
        (e: unknown) =>
          e instanceof ApiError && e.code === 'SignatureDoesNotMatch' && /Credential scope/.test(e.message),
      );
    });
    it('header credentials plus AWSAccessKeyId or X-Amz-Credential parameters → InvalidParameterCombination', async () => {
      const req = await signed({ method: 'GET', query: { Action: 'DescribeTags', Version: '2011-01-01' } });
      await rejectsWith({ ...req, rawQuery: `${req.rawQuery}&AWSAccessKeyId=${AK}` }, 'InvalidParameterCombination');
      await rejectsWith(
        {
          ...req,
          rawQuery: `${req.rawQuery}&X-Amz-Credential=${AK}%2F20261125%2Fus-east-1%2Fautoscaling%2Faws4_request`,
        },
        'InvalidParameterCombination',
      );
      const post = await signed({ body, headers: FORM });
      await rejectsWith({ ...post, body: Buffer.from(`${body}&Signature=abc`) }, 'InvalidParameterCombination');
    });
    it('unknown access key → InvalidClientTokenId', async () => {
      const req = await signed({ body, headers: FORM });
      const authz = req.headers.get('authorization')![0]!.replace(`Credential=${AK}/`, 'Credential=AKIDUNKNOWN/');
      await rejectsWith(withHeader(req, 'authorization', authz), 'InvalidClientTokenId');
    });
  });

  describe('presigned (query) form', () => {
    it('verifies a smithy presigned GET and reports sigv4-query', async () => {
      const req = await signed({
        method: 'GET',
        query: { Action: 'DescribeAutoScalingGroups', Version: '2011-01-01' },
        presignExpires: 300,
      });
      assert.match(req.rawQuery, /X-Amz-Signature=/);
      assert.equal((await verify(req)).method, 'sigv4-query');
    });
    it('rejects it after X-Amz-Expires, and when tampered', async () => {
      const req = await signed({
        method: 'GET',
        query: { Action: 'DescribeAutoScalingGroups', Version: '2011-01-01' },
        presignExpires: 300,
      });
      await rejectsWith(
        { ...req, rawQuery: req.rawQuery.replace('DescribeAutoScalingGroups', 'DeleteAutoScalingGroup') },
        'SignatureDoesNotMatch',
      );
      const late = new Authenticator({
        clock: new FixedClock(new Date(NOW.getTime() + 301_000)),
        lookup: async () => ({ userId: 'u', secret: SECRET }),
      });
      await assert.rejects(
        late.authenticate(req, paramsOf(req)),
        (e: unknown) => e instanceof ApiError && e.code === 'RequestExpired',
      );
    });
    it('rejects a presigned request that also carries an Authorization header', async () => {
      const req = await signed({ method: 'GET', query: { Action: 'X' }, presignExpires: 300 });
      await rejectsWith(
        withHeader(req, 'authorization', 'AWS4-HMAC-SHA256 Credential=x'),
        'InvalidParameterCombination',
      );
    });
  });
});
