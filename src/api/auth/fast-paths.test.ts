import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { FixedClock } from '../../contracts/clock.ts';
import { ApiError } from '../query/errors.ts';
import { parseAmzDate } from './auth-time.ts';
import { Authenticator, type SecretLookup } from './authenticate.ts';
import { canonicalHeaderBlock, deriveSigningKey, parseSigV4Header, SigningKeyCache, SigV4ParseMemo } from './sigv4.ts';
import { makeRequest, paramsOf, withoutHeader } from './test-support.ts';
import { clientSignV4 } from './test-signers.ts';

// The per-request shortcuts (memoised parsing, cached signing keys) must never change an
// answer: these tests pin the cases where a shortcut could go stale.

const AK = 'AKIDFAST';
const NOW = new Date('2026-11-25T12:00:00Z');

function signed(secret: string, amzDate = '20261125T120000Z') {
  const headers = { host: 'as.example', 'x-amz-date': amzDate };
  const { rawQuery, authorization } = clientSignV4({
    method: 'GET',
    path: '/',
    query: [['Action', 'DescribeAutoScalingGroups']],
    signed: headers,
    body: '',
    accessKeyId: AK,
    secret,
    scopeDate: amzDate.slice(0, 8),
    region: 'us-east-1',
    service: 'autoscaling',
    separator: ', ',
  });
  return makeRequest({
    method: 'GET',
    rawQuery,
    headers: [
      ['Host', headers.host],
      ['X-Amz-Date', amzDate],
      ['Authorization', authorization],
    ],
  });
}

describe('Authenticator: a changed secret is honoured at once (signing keys are cached per secret)', () => {
  it('a rotated secret (new lookup result) is used at once; the old one stops working', async () => {
    let current = { userId: 'u1', secret: 'first-secret' };
    const lookup: SecretLookup = async () => current;
    const authenticator = new Authenticator({ clock: new FixedClock(NOW), lookup });
    const old = signed('first-secret');
    assert.equal((await authenticator.authenticate(old, paramsOf(old))).userId, 'u1');
    current = { userId: 'u1', secret: 'second-secret' };
    await assert.rejects(
      authenticator.authenticate(old, paramsOf(old)),
      (e: unknown) => e instanceof ApiError && e.code === 'SignatureDoesNotMatch',
    );
    const fresh = signed('second-secret');
    assert.equal((await authenticator.authenticate(fresh, paramsOf(fresh))).userId, 'u1');
  });
  it('a lookup that mutates and reuses one result object is still honoured', async () => {
    const shared = { userId: 'u1', secret: 'first-secret' };
    const authenticator = new Authenticator({ clock: new FixedClock(NOW), lookup: async () => shared });
    const old = signed('first-secret');
    await authenticator.authenticate(old, paramsOf(old));
    shared.secret = 'second-secret';
    await assert.rejects(
      authenticator.authenticate(old, paramsOf(old)),
      (e: unknown) => e instanceof ApiError && e.code === 'SignatureDoesNotMatch',
    );
    const fresh = signed('second-secret');
    assert.equal((await authenticator.authenticate(fresh, paramsOf(fresh))).userId, 'u1');
  });
});

describe('SigningKeyCache', () => {
  it('agrees with a fresh derivation, and serves the same key again', () => {
    const cache = new SigningKeyCache(4);
    const key = cache.get('s', '20261125', 'r', 'svc');
    assert.deepEqual(key, deriveSigningKey('s', '20261125', 'r', 'svc'));
    assert.equal(cache.get('s', '20261125', 'r', 'svc'), key);
    assert.equal(cache.size, 1);
  });
  it('keeps secrets apart', () => {
    const cache = new SigningKeyCache(4);
    assert.notDeepEqual(cache.get('s1', '20261125', 'r', 'svc'), cache.get('s2', '20261125', 'r', 'svc'));
    assert.deepEqual(cache.get('s2', '20261125', 'r', 'svc'), deriveSigningKey('s2', '20261125', 'r', 'svc'));
  });
  it('memoises expected signatures per (secret, string to sign), agreeing with a fresh HMAC', () => {
    const cache = new SigningKeyCache(2);
    const scope = { scopeDate: '20261125', region: 'r', service: 'svc' } as Parameters<
      SigningKeyCache['expectedSignature']
    >[1];
    const fresh = (secret: string, sts: string) =>
      createHmac('sha256', deriveSigningKey(secret, '20261125', 'r', 'svc'))
        .update(sts)
        .digest();
    const first = cache.expectedSignature('s1', scope, 'sts-a');
    assert.deepEqual(first, fresh('s1', 'sts-a'));
    assert.equal(cache.expectedSignature('s1', scope, 'sts-a'), first, 'served from the memo');
    assert.deepEqual(cache.expectedSignature('s2', scope, 'sts-a'), fresh('s2', 'sts-a'), 'another secret recomputes');
    assert.deepEqual(cache.expectedSignature('s1', scope, 'sts-a'), fresh('s1', 'sts-a'));
    for (const sts of ['b', 'c', 'd', 'e'])
      assert.deepEqual(cache.expectedSignature('s1', scope, sts), fresh('s1', sts));
  });
  it('a remembered signature does not let a different signature through', async () => {
    const authenticator = new Authenticator({
      clock: new FixedClock(NOW),
      lookup: async () => ({ userId: 'u1', secret: 'k' }),
    });
    const good = signed('k');
    await authenticator.authenticate(good, paramsOf(good));
    const header = good.headers.get('authorization')![0]!;
    const forged = makeRequest({
      method: 'GET',
      rawQuery: good.rawQuery,
      headers: [
        ['Host', 'as.example'],
        ['X-Amz-Date', '20261125T120000Z'],
        [
          'Authorization',
          header.replace(/Signature=([0-9a-f])/, (_, c: string) => `Signature=${c === '0' ? '1' : '0'}`),
        ],
      ],
    });
    await assert.rejects(
      authenticator.authenticate(forged, paramsOf(forged)),
      (e: unknown) => e instanceof ApiError && e.code === 'SignatureDoesNotMatch',
    );
  });
  it('keeps scopes apart whatever their text', () => {
    const cache = new SigningKeyCache(4);
    const a = cache.get('s', '20261125', 'a|1:b', 'c');
    const b = cache.get('s', '20261125', 'a', 'b|1:c');
    assert.deepEqual(a, deriveSigningKey('s', '20261125', 'a|1:b', 'c'));
    assert.deepEqual(b, deriveSigningKey('s', '20261125', 'a', 'b|1:c'));
    assert.notDeepEqual(a, b);
  });
});

describe('SigV4 parsing shortcuts', () => {
  it('a remembered SignedHeaders list is still checked against each request', () => {
    const req = signed('x');
    const memo = new SigV4ParseMemo();
    parseSigV4Header(req, memo);
    assert.throws(
      () => parseSigV4Header(withoutHeader(req, 'x-amz-date'), memo),
      (e: unknown) => e instanceof ApiError && e.code === 'IncompleteSignature',
    );
  });
  it('a memo gives the same answers as none, and a fresh signedAt Date each time', () => {
    const req = signed('x');
    const memo = new SigV4ParseMemo();
    const first = parseSigV4Header(req, memo);
    assert.deepEqual(first, parseSigV4Header(req));
    first.signedAt.setTime(0);
    assert.deepEqual(parseSigV4Header(req, memo), parseSigV4Header(req));
    assert.equal(memo.credentials.size, 1);
    assert.equal(memo.signedHeaderLists.size, 1);
  });
  it('parseAmzDate hands out a fresh Date each time, and still rejects bad text', () => {
    const a = parseAmzDate('20261125T120000Z')!;
    a.setTime(0);
    assert.equal(parseAmzDate('20261125T120000Z')!.toISOString(), '2026-11-25T12:00:00.000Z');
    assert.equal(parseAmzDate('20261325T120000Z'), undefined);
  });
  it('canonical header values are trimmed and collapsed only when needed, with the same result', () => {
    const req = makeRequest({
      method: 'GET',
      headers: [
        ['Host', 'h'],
        ['X-A', '  a \t b  '],
        ['X-A', 'c'],
        ['X-B', 'plain value'],
        ['X-C', 'x\u00a0y'],
      ],
    });
    assert.equal(
      canonicalHeaderBlock(req, ['host', 'x-a', 'x-b', 'x-c']),
      'host:h\nx-a:a b,c\nx-b:plain value\nx-c:x y\n',
    );
  });
});
