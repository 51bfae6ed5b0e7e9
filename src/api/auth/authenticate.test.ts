import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FixedClock } from '../../contracts/clock.ts';
import type { RawRequest } from '../http/raw-request.ts';
import { ApiError, type AwsErrorCode } from '../query/errors.ts';
import type { Param } from '../query/form.ts';
import { AUTH_MESSAGES, Authenticator, detectAuthMethod, type SecretLookup } from './authenticate.ts';
import { deriveSigningKey, SigningKeyCache } from './sigv4.ts';
import { makeRequest, paramsOf, withHeader, withoutHeader } from './test-support.ts';
import { clientSignV4 } from './test-signers.ts';

const AK = 'AKIDAUTH';
const SECRET = 'top/secret+value=';
const NOW = new Date('2026-11-25T12:00:00Z');

function signedGet(overrides: { separator?: ',' | ', '; accessKeyId?: string; date?: string } = {}): RawRequest {
  const amzDate = overrides.date ?? '20261125T120000Z';
  const signed = { host: 'as.example:8443', 'x-amz-date': amzDate };
  const { rawQuery, authorization } = clientSignV4({
    method: 'GET',
    path: '/',
    query: [
      ['Action', 'DescribeAutoScalingGroups'],
      ['Version', '2011-01-01'],
    ],
    signed,
    body: '',
    accessKeyId: overrides.accessKeyId ?? AK,
    secret: SECRET,
    scopeDate: amzDate.slice(0, 8),
    region: 'us-east-1',
    service: 'autoscaling',
    separator: overrides.separator ?? ', ',
  });
  return makeRequest({
    method: 'GET',
    rawQuery,
    headers: [
      ['Host', signed.host],
      ['X-Amz-Date', amzDate],
      ['Authorization', authorization],
    ],
  });
}

function setup(opts: { maxSkewMs?: number; lookup?: SecretLookup } = {}) {
  const calls: string[] = [];
  const keyCache = new SigningKeyCache(10);
  const lookup: SecretLookup =
    opts.lookup ??
    (async (ak) => {
      calls.push(ak);
      return ak === AK ? { userId: 'user-7', secret: SECRET } : undefined;
    });
  const authenticator = new Authenticator({
    clock: new FixedClock(NOW),
    lookup,
    keyCache,
    ...(opts.maxSkewMs === undefined ? {} : { maxSkewMs: opts.maxSkewMs }),
  });
  return { authenticator, calls, keyCache };
}

async function expectError(
  req: RawRequest,
  code: AwsErrorCode,
  message?: string | RegExp,
  params?: Param[],
): Promise<ApiError> {
  const { authenticator } = setup();
  let caught: unknown;
  try {
    await authenticator.authenticate(req, params ?? paramsOf(req));
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ApiError, `expected ApiError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (typeof message === 'string') assert.equal(caught.message, message);
  else if (message) assert.match(caught.message, message);
  assert.ok(!caught.message.includes(SECRET));
  return caught;
}

const authz = (req: RawRequest) => req.headers.get('authorization')![0]!;

describe('Authenticator: success', () => {
  it('accepts both "," and ", " separators and components in any order', async () => {
    const { authenticator } = setup();
    for (const separator of [',', ', '] as const) {
      const id = await authenticator.authenticate(signedGet({ separator }), paramsOf(signedGet({ separator })));
      assert.deepEqual(id, { accessKeyId: AK, userId: 'user-7', method: 'sigv4-header' });
    }
    const req = signedGet();
    const [, cred, sh, sig] = /^AWS4-HMAC-SHA256 (Credential=[^,]+), (SignedHeaders=[^,]+), (Signature=\w+)$/.exec(
      authz(req),
    )!;
    const reordered = withHeader(req, 'authorization', `AWS4-HMAC-SHA256  ${sig},${sh} , ${cred}`);
    assert.equal((await authenticator.authenticate(reordered, paramsOf(reordered))).userId, 'user-7');
  });
  it('looks the key up once and caches the derived signing key', async () => {
    const { authenticator, calls, keyCache } = setup();
    await authenticator.authenticate(signedGet(), paramsOf(signedGet()));
    await authenticator.authenticate(signedGet(), paramsOf(signedGet()));
    assert.deepEqual(calls, [AK, AK]);
    assert.equal(keyCache.size, 1);
  });
  it('honours maxSkewMs', async () => {
    const { authenticator } = setup({ maxSkewMs: 60_000 });
    const req = signedGet({ date: '20261125T115800Z' });
    await assert.rejects(
      authenticator.authenticate(req, paramsOf(req)),
      (e: unknown) => e instanceof ApiError && e.code === 'RequestExpired',
    );
  });
});

describe('Authenticator: credential style', () => {
  it('no credentials → MissingAuthenticationToken (403)', async () => {
    const e = await expectError(
      makeRequest({ rawQuery: 'Action=DescribeAutoScalingGroups', headers: [['Host', 'h']] }),
      'MissingAuthenticationToken',
      AUTH_MESSAGES.missing,
    );
    assert.equal(e.status, 403);
    assert.equal(AUTH_MESSAGES.missing, 'Request is missing Authentication Token');
  });
  it('detects exactly one style, and rejects every combination', () => {
    const header = makeRequest({ headers: [['Authorization', 'x']] });
    const none = makeRequest({});
    assert.equal(detectAuthMethod(header, []), 'sigv4-header');
    assert.equal(detectAuthMethod(none, [['X-Amz-Credential', 'a']]), 'sigv4-query');
    assert.equal(detectAuthMethod(none, [['X-Amz-Signature', 'a']]), 'sigv4-query');
    assert.equal(detectAuthMethod(none, [['SignatureVersion', '2']]), 'sigv2');
    const combos: Array<[RawRequest, Param[]]> = [
      [header, [['AWSAccessKeyId', 'a']]],
      [header, [['X-Amz-Credential', 'a']]],
      [
        none,
        [
          ['X-Amz-Algorithm', 'a'],
          ['Signature', 'b'],
        ],
      ],
      [
        header,
        [
          ['X-Amz-Signature', 'a'],
          ['AWSAccessKeyId', 'b'],
        ],
      ],
    ];
    for (const [req, params] of combos) {
      assert.throws(
        () => detectAuthMethod(req, params),
        (e: unknown) => e instanceof ApiError && e.code === 'InvalidParameterCombination',
      );
    }
  });
  it('presigned parameters only in the body → IncompleteSignature', async () => {
    const req = makeRequest({
      method: 'POST',
      headers: [
        ['Host', 'h'],
        ['Content-Type', 'application/x-www-form-urlencoded'],
      ],
      body: 'X-Amz-Credential=a&X-Amz-Signature=b',
    });
    await expectError(req, 'IncompleteSignature', /query string/);
  });
  it('a session token (header or parameter) → InvalidClientTokenId', async () => {
    await expectError(
      withHeader(signedGet(), 'x-amz-security-token', 'tok'),
      'InvalidClientTokenId',
      AUTH_MESSAGES.unknownKey,
    );
    const req = signedGet();
    await expectError({ ...req, rawQuery: `${req.rawQuery}&X-Amz-Security-Token=tok` }, 'InvalidClientTokenId');
  });
});

describe('Authenticator: malformed SigV4 → IncompleteSignature (400)', () => {
  const req = signedGet();
  const value = authz(req);
  const cases: Array<[string, string | string[], RegExp?]> = [
    ['S3 SigV2 header', 'AWS AKIDAUTH:c2lnbmF0dXJl', /Unsupported Authorization type/],
    ['SigV4a', value.replace('AWS4-HMAC-SHA256', 'AWS4-ECDSA-P256-SHA256'), /Unsupported/],
    ['no Signature', value.replace(/, Signature=\w+/, ''), /requires 'Signature'/],
    ['no SignedHeaders', value.replace(/, SignedHeaders=[^,]+/, ''), /requires 'SignedHeaders'/],
    ['no Credential', value.replace(/Credential=[^,]+, /, ''), /requires 'Credential'/],
    ['unknown component', `${value}, Extra=1`, /exactly Credential/],
    ['repeated component', `${value}, Signature=${'0'.repeat(64)}`, /exactly Credential/],
    ['four-part credential', value.replace('/us-east-1/', '/'), /5 slash-delimited/],
    ['bad terminator', value.replace('aws4_request', 'aws5_request'), /terminator/],
    [
      'host not signed',
      value.replace('SignedHeaders=host;x-amz-date', 'SignedHeaders=x-amz-date'),
      /'host' header must be signed/,
    ],
    ['unsorted signed headers', value.replace('host;x-amz-date', 'x-amz-date;host'), /sorted/],
    ['upper-case signed header', value.replace('host;x-amz-date', 'Host;x-amz-date'), /lower-case/],
    ['signed header absent', value.replace('host;x-amz-date', 'host;x-amz-date;x-custom'), /missing from the request/],
    ['short signature', value.slice(0, -1), /64 lower-case/],
    [
      'upper-case signature',
      value.replace(/Signature=(\w+)/, (_m, s: string) => `Signature=${s.toUpperCase()}`),
      /64 lower-case/,
    ],
    ['two Authorization headers', [value, value], /exactly one Authorization/],
  ];
  for (const [label, header, pattern] of cases) {
    it(label, async () => {
      const values = Array.isArray(header) ? header : [header];
      const e = await expectError(withHeader(req, 'authorization', ...values), 'IncompleteSignature', pattern);
      assert.equal(e.status, 400);
    });
  }
  it('no X-Amz-Date and no Date header', async () => {
    const dateless = withHeader(
      withoutHeader(req, 'x-amz-date'),
      'authorization',
      value.replace('host;x-amz-date', 'host'),
    );
    await expectError(dateless, 'IncompleteSignature', /'X-Amz-Date' or a 'Date' header/);
  });
  it('malformed X-Amz-Date (and an impossible date)', async () => {
    await expectError(withHeader(req, 'x-amz-date', '2026-11-25T12:00:00Z'), 'IncompleteSignature', /ISO 8601 basic/);
    await expectError(withHeader(req, 'x-amz-date', '20261325T120000Z'), 'IncompleteSignature', /ISO 8601 basic/);
  });
  it('repeated Host header', async () => {
    await expectError(withHeader(req, 'host', 'as.example:8443', 'as.example:8443'), 'IncompleteSignature', /Host/);
  });
});

describe('Authenticator: key and signature', () => {
  it('unknown key → InvalidClientTokenId (403), after the same HMAC work (dummy secret)', async () => {
    const { authenticator, keyCache } = setup();
    const req = signedGet({ accessKeyId: 'AKIDNOBODY' });
    await assert.rejects(
      authenticator.authenticate(req, paramsOf(req)),
      (e: unknown) =>
        e instanceof ApiError &&
        e.code === 'InvalidClientTokenId' &&
        e.status === 403 &&
        e.message === 'The security token included in the request is invalid.',
    );
    assert.equal(keyCache.size, 1, 'a signing key was derived for the unknown key');
  });
  it('bad signature → SignatureDoesNotMatch (403) with the AWS text', async () => {
    const req = signedGet();
    const bad = withHeader(
      req,
      'authorization',
      authz(req).replace(/Signature=(\w)/, (_m, c: string) => `Signature=${c === 'a' ? 'b' : 'a'}`),
    );
    const e = await expectError(bad, 'SignatureDoesNotMatch', AUTH_MESSAGES.badSignature);
    assert.equal(e.status, 403);
    assert.match(
      e.message,
      /^The request signature we calculated does not match the signature you provided\. Check your AWS Secret Access Key and signing method\. Consult the service documentation for details\.$/,
    );
  });
  it('a lookup failure propagates unchanged', async () => {
    const boom = new Error('db down');
    const { authenticator } = setup({
      lookup: async () => {
        throw boom;
      },
    });
    await assert.rejects(authenticator.authenticate(signedGet(), paramsOf(signedGet())), (e: unknown) => e === boom);
  });
  it('RequestExpired carries AWS-like text', async () => {
    const old = signedGet({ date: '20261125T114300Z' });
    await expectError(
      old,
      'RequestExpired',
      /^Signature expired: 20261125T114300Z is now earlier than 20261125T114500Z \(20261125T120000Z - 15 min\.\)$/,
    );
    const future = signedGet({ date: '20261125T121700Z' });
    await expectError(
      future,
      'RequestExpired',
      /^Signature not yet current: 20261125T121700Z is still later than 20261125T121500Z/,
    );
  });
});

describe('SigningKeyCache', () => {
  it('returns the derived key, stays bounded and evicts the least recently used', () => {
    const cache = new SigningKeyCache(3);
    const a = cache.get('s', '20261125', 'r', 'a');
    assert.deepEqual(a, deriveSigningKey('s', '20261125', 'r', 'a'));
    cache.get('s', '20261125', 'r', 'b');
    cache.get('s', '20261125', 'r', 'c');
    assert.equal(cache.get('s', '20261125', 'r', 'a'), a, 'hit returns the cached buffer');
    cache.get('s', '20261125', 'r', 'd');
    assert.equal(cache.size, 3);
    assert.equal(cache.get('s', '20261125', 'r', 'a'), a, 'recently used entry survived');
    assert.notEqual(cache.get('other', '20261125', 'r', 'a'), a, 'different secret, different key');
  });
  it('does not keep the secret text in its keys', () => {
    const cache = new SigningKeyCache(2);
    cache.get('very-secret-text', '20261125', 'r', 's');
    const entries = (cache as unknown as { entries: Map<string, Buffer> }).entries;
    for (const id of entries.keys()) assert.ok(!id.includes('very-secret-text'));
  });
  it('rejects a non-positive size', () => {
    assert.throws(() => new SigningKeyCache(0), RangeError);
  });
});
