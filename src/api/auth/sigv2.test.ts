import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FixedClock } from '../../contracts/clock.ts';
import type { RawRequest } from '../http/raw-request.ts';
import { ApiError, type AwsErrorCode } from '../query/errors.ts';
import { Authenticator } from './authenticate.ts';
import { parseSigV2, sigV2HostVariants, sigV2StringToSign } from './sigv2.ts';
import { makeRequest, paramsOf } from './test-support.ts';
import { clientSignV2, formEncode } from './test-signers.ts';

const AK = 'AKIDV2';
const SECRET = 'v2/secret+key=';
const NOW = new Date('2026-11-25T12:00:00Z');
const auth = new Authenticator({
  clock: new FixedClock(NOW),
  lookup: async (ak) => (ak === AK ? { userId: 'u2', secret: SECRET } : undefined),
});

interface V2Spec {
  method?: 'GET' | 'POST';
  algorithm?: 'HmacSHA256' | 'HmacSHA1';
  hostHeader?: string;
  signedHost?: string;
  path?: string;
  time?: Array<[string, string]>;
  extra?: Array<[string, string]>;
  secret?: string;
}

const iso = (offsetMinutes: number) =>
  new Date(NOW.getTime() + offsetMinutes * 60_000).toISOString().replace('.000Z', 'Z');

/** A signed SigV2 request: params in the query for GET, in a `+`-for-space form body for POST. */
function v2(spec: V2Spec = {}): RawRequest {
  const method = spec.method ?? 'GET';
  const algorithm = spec.algorithm ?? 'HmacSHA256';
  const hostHeader = spec.hostHeader ?? '127.0.0.1:8445';
  const path = spec.path ?? '/';
  const params: Array<[string, string]> = [
    ['Action', 'CreateOrUpdateTags'],
    ['Version', '2011-01-01'],
    ['Tags.member.1.Value', "a b+c*~ü!'()"],
    ['Tags.member.1.Key', ''],
    ['AWSAccessKeyId', AK],
    ['SignatureVersion', '2'],
    ['SignatureMethod', algorithm],
    ...(spec.time ?? [['Timestamp', iso(0)]]),
    ...(spec.extra ?? []),
  ];
  const signature = clientSignV2({
    method,
    signedHost: spec.signedHost ?? hostHeader,
    path,
    params,
    secret: spec.secret ?? SECRET,
    algorithm,
  });
  const encoded = formEncode([...params, ['Signature', signature]], method === 'POST');
  const headers: Array<[string, string]> = [['Host', hostHeader]];
  if (method === 'GET') return makeRequest({ method, path, rawQuery: encoded, headers });
  return makeRequest({
    method,
    path,
    headers: [...headers, ['Content-Type', 'application/x-www-form-urlencoded; charset=utf-8']],
    body: encoded,
  });
}

const run = (req: RawRequest) => auth.authenticate(req, paramsOf(req));

async function rejects(req: RawRequest, code: AwsErrorCode, pattern?: RegExp): Promise<void> {
  await assert.rejects(
    run(req),
    (e: unknown) => e instanceof ApiError && e.code === code && (!pattern || pattern.test(e.message)),
  );
}

describe('SigV2 verification matrix', () => {
  for (const algorithm of ['HmacSHA256', 'HmacSHA1'] as const) {
    for (const method of ['GET', 'POST'] as const) {
      for (const hostHeader of ['127.0.0.1:8445', '127.0.0.1', 'Example.COM']) {
        it(`${algorithm} ${method} Host: ${hostHeader}`, async () => {
          const id = await run(v2({ algorithm, method, hostHeader }));
          assert.deepEqual(id, { accessKeyId: AK, userId: 'u2', method: 'sigv2' });
        });
      }
    }
  }
  it('accepts a port-less signed host when the Host header carries a port (fallback)', async () => {
    await run(v2({ hostHeader: '127.0.0.1:8445', signedHost: '127.0.0.1' }));
  });
  it('does not add a port the Host header lacks', async () => {
    await rejects(v2({ hostHeader: '127.0.0.1', signedHost: '127.0.0.1:8445' }), 'SignatureDoesNotMatch');
  });
  it('signs the path as sent', async () => {
    await run(v2({ path: '/api/autoscale/' }));
    await rejects({ ...v2({ path: '/api/autoscale/' }), path: '/api/autoscale' }, 'SignatureDoesNotMatch');
  });
  it('accepts a Timestamp with milliseconds and a numeric offset', async () => {
    await run(v2({ time: [['Timestamp', '2026-11-25T12:00:00.123Z']] }));
    await run(v2({ time: [['Timestamp', '2026-11-25T13:05:00+01:00']] }));
  });
  it('accepts Expires within the next 15 minutes', async () => {
    await run(v2({ time: [['Expires', iso(10)]] }));
  });
});

describe('SigV2 rejections', () => {
  it('wrong secret, changed value, added param, changed method → SignatureDoesNotMatch', async () => {
    await rejects(v2({ secret: 'nope' }), 'SignatureDoesNotMatch');
    const req = v2();
    await rejects(
      { ...req, rawQuery: req.rawQuery.replace('CreateOrUpdateTags', 'DeleteTags') },
      'SignatureDoesNotMatch',
    );
    await rejects({ ...req, rawQuery: `${req.rawQuery}&MaxRecords=1` }, 'SignatureDoesNotMatch');
    await rejects({ ...req, method: 'POST' }, 'SignatureDoesNotMatch');
  });
  it('unknown key → InvalidClientTokenId', async () => {
    const req = v2();
    await rejects(
      { ...req, rawQuery: req.rawQuery.replace(`AWSAccessKeyId=${AK}`, 'AWSAccessKeyId=AKIDNOPE') },
      'InvalidClientTokenId',
    );
  });
  it('Timestamp 16 minutes old or ahead → RequestExpired; 14 minutes is fine', async () => {
    await rejects(v2({ time: [['Timestamp', iso(-16)]] }), 'RequestExpired', /Request has expired/);
    await rejects(v2({ time: [['Timestamp', iso(16)]] }), 'RequestExpired', /future/);
    await run(v2({ time: [['Timestamp', iso(-14)]] }));
    await run(v2({ time: [['Timestamp', iso(14)]] }));
  });
  it('Expires in the past or more than 15 minutes ahead → RequestExpired', async () => {
    await rejects(v2({ time: [['Expires', iso(-1)]] }), 'RequestExpired', /Expires date/);
    await rejects(v2({ time: [['Expires', iso(16)]] }), 'RequestExpired', /too far in the future/);
  });
  it('SignatureVersion 0 or 1, missing, or unknown SignatureMethod → IncompleteSignature', async () => {
    for (const version of ['0', '1', '3']) {
      const req = v2();
      await rejects(
        { ...req, rawQuery: req.rawQuery.replace('SignatureVersion=2', `SignatureVersion=${version}`) },
        'IncompleteSignature',
      );
    }
    const req = v2();
    await rejects({ ...req, rawQuery: req.rawQuery.replace('SignatureVersion=2&', '') }, 'IncompleteSignature');
    await rejects(
      { ...req, rawQuery: req.rawQuery.replace('SignatureMethod=HmacSHA256', 'SignatureMethod=HmacMD5') },
      'IncompleteSignature',
    );
    await rejects({ ...req, rawQuery: req.rawQuery.replace(/&Signature=[^&]*/, '') }, 'IncompleteSignature');
    await rejects({ ...req, rawQuery: `${req.rawQuery}&Signature=AAAA` }, 'IncompleteSignature');
  });
  it('date parameters: both → InvalidParameterCombination, none → MissingParameter, bad → InvalidParameterValue', async () => {
    await rejects(
      v2({
        time: [
          ['Timestamp', iso(0)],
          ['Expires', iso(5)],
        ],
      }),
      'InvalidParameterCombination',
    );
    await rejects(v2({ time: [] }), 'MissingParameter', /Timestamp or Expires/);
    await rejects(v2({ time: [['Timestamp', '25/11/2026 12:00']] }), 'InvalidParameterValue');
  });
  it('a missing or repeated Host header → IncompleteSignature', async () => {
    const req = v2();
    const noHost = new Map(req.headers);
    noHost.delete('host');
    await rejects({ ...req, headers: noHost }, 'IncompleteSignature');
    await rejects(
      { ...req, headers: new Map([['host', ['127.0.0.1:8445', '127.0.0.1:8445']]]) },
      'IncompleteSignature',
    );
  });
});

describe('SigV2 building blocks', () => {
  it('host variants: as received (lower-cased) then without the port', () => {
    assert.deepEqual(sigV2HostVariants('Example.COM:80'), ['example.com:80', 'example.com']);
    assert.deepEqual(sigV2HostVariants('example.com'), ['example.com']);
    assert.deepEqual(sigV2HostVariants('[::1]:8445'), ['[::1]:8445', '[::1]']);
    assert.deepEqual(sigV2HostVariants('[::1]'), ['[::1]']);
  });
  it('string to sign: sorted by name bytes, RFC 3986 values, Signature excluded, empty path → /', () => {
    const req = makeRequest({ method: 'get', path: '' });
    const sts = sigV2StringToSign(
      req,
      [
        ['b', 'x y'],
        ['Signature', 'zzz'],
        ['B', "*'"],
        ['a', '~'],
      ],
      'h',
    );
    assert.equal(sts, 'GET\nh\n/\nB=%2A%27&a=~&b=x%20y');
  });
  it('parseSigV2 reads the method and the date', () => {
    const parsed = parseSigV2([
      ['SignatureVersion', '2'],
      ['SignatureMethod', 'HmacSHA1'],
      ['AWSAccessKeyId', 'AK'],
      ['Signature', 's'],
      ['Expires', '2026-11-25T12:10:00Z'],
    ]);
    assert.equal(parsed.method, 'HmacSHA1');
    assert.equal(parsed.expires?.toISOString(), '2026-11-25T12:10:00.000Z');
    assert.equal(parsed.timestamp, undefined);
  });
});
