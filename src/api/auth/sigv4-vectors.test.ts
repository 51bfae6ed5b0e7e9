/**
 * AWS SigV4 conformance vectors (testdata/aws4-testsuite.json, testdata/extra-sigv4-vectors.json)
 * run through the server-side verifier: parse, canonical request and string to sign byte for
 * byte, verification, and single-byte tampering.
 *
 * Suite cases not run, and why (none can reach a Query API server over HTTP/1.1):
 * - get-header-value-multiline: obs-fold header continuation lines; Node's HTTP parser rejects
 *   them before any handler runs.
 * - post-vanilla-query-nonunreserved, post-vanilla-query-space (2011 suite): the request line
 *   carries raw `#`, space, `<`, `"` etc., which no HTTP client sends unencoded (a raw `#` ends
 *   the URL); the encoded forms are covered by the query cases and the smithy cross-check.
 * - post-sts-token / get-vanilla-with-session-token: session-token signing; this service issues
 *   no session tokens and the Authenticator rejects X-Amz-Security-Token (tested below and in
 *   authenticate.test.ts). post-sts-header-before/after ARE run at the signature level.
 * The normalize-path cases (get-relative*, get-slash*, get-slashes, get-space) are all run.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RawRequest } from '../http/raw-request.ts';
import { ApiError } from '../query/errors.ts';
import { canonicalizeSigV4, parseSigV4Header, parseSigV4Query, type SigV4Auth, verifySigV4 } from './sigv4.ts';
import { flipChar, loadFixture, parseReqText, tamperBody, withHeader, type VectorCase } from './test-support.ts';

interface Suite {
  config: { accessKeyId: string; secretAccessKey: string; region: string; service: string };
  cases: VectorCase[];
}
interface Extra {
  credentials: { accessKeyId: string; secretAccessKey: string };
  cases: VectorCase[];
}

const suite = loadFixture<Suite>('aws4-testsuite.json');
const extra = loadFixture<Extra>('extra-sigv4-vectors.json');
const SECRET = suite.config.secretAccessKey;

function requestOf(c: VectorCase): RawRequest {
  const req = parseReqText(c.req);
  return c.authz === undefined ? req : withHeader(req, 'authorization', c.authz);
}

function parse(req: RawRequest, form: 'header' | 'query'): SigV4Auth {
  return form === 'header' ? parseSigV4Header(req) : parseSigV4Query(req);
}

/** True when the tampered request is rejected: parse throws an ApiError, or verification fails. */
function rejected(req: RawRequest, form: 'header' | 'query'): boolean {
  let auth: SigV4Auth;
  try {
    auth = parse(req, form);
  } catch (error) {
    assert.ok(error instanceof ApiError, String(error));
    return true;
  }
  return !verifySigV4(req, SECRET, auth);
}

function runCase(c: VectorCase, form: 'header' | 'query'): void {
  describe(c.name, () => {
    const req = requestOf(c);
    it('computes the published canonical request and string to sign', () => {
      const { canonicalRequest, stringToSign } = canonicalizeSigV4(req, parse(req, form));
      assert.equal(canonicalRequest, c.creq);
      assert.equal(stringToSign, c.sts);
    });
    it('verifies with the published signature', () => {
      assert.equal(verifySigV4(req, SECRET, parse(req, form)), true);
    });
    it('fails with another secret', () => {
      assert.equal(verifySigV4(req, `${SECRET}x`, parse(req, form)), false);
    });
    it('fails when one body byte changes (or one is added)', () => {
      assert.equal(rejected(tamperBody(req), form), true);
    });
    it('fails when one query character changes, or a parameter is added', () => {
      if (req.rawQuery !== '') {
        const i = Math.min(req.rawQuery.indexOf('=') + 1, req.rawQuery.length - 1);
        assert.equal(rejected({ ...req, rawQuery: flipChar(req.rawQuery, i) }, form), true);
      }
      assert.equal(
        rejected({ ...req, rawQuery: req.rawQuery === '' ? 'Extra=1' : `${req.rawQuery}&Extra=1` }, form),
        true,
      );
    });
    it('fails when one byte of each signed header changes', () => {
      for (const name of parse(req, form).signedHeaders) {
        const values = req.headers.get(name) ?? [];
        const last = values.length - 1;
        const changed = values.map((v, i) => (i === last ? flipChar(v.trimEnd(), v.trimEnd().length - 1) : v));
        assert.equal(rejected(withHeader(req, name, ...changed), form), true, `header ${name}`);
      }
    });
    it('fails when the path changes', () => {
      assert.equal(rejected({ ...req, path: `${req.path}x` }, form), true);
    });
  });
}

describe('AWS SigV4 test suite (2015 edition)', () => {
  it('uses the published credentials and scope', () => {
    assert.deepEqual(suite.config, {
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      region: 'us-east-1',
      service: 'service',
    });
  });
  for (const c of suite.cases) runCase(c, 'header');
  it('covers the required groups', () => {
    const names = suite.cases.map((c) => c.name);
    for (const prefix of [
      'get-vanilla',
      'post-vanilla',
      'get-header-',
      'post-x-www-form-urlencoded',
      'get-vanilla-query-',
      'get-relative',
      'get-slash',
    ]) {
      assert.ok(
        names.some((n) => n.startsWith(prefix)),
        prefix,
      );
    }
    assert.ok(names.length >= 29);
  });
});

describe('extra published vectors (botocore double encoding, aws-c-auth presigned)', () => {
  assert.equal(extra.credentials.secretAccessKey, SECRET);
  for (const c of extra.cases) runCase(c, c.form ?? 'header');
});

describe('vector details', () => {
  const byName = (name: string) => suite.cases.find((c) => c.name === name)!;
  it('takes region and service from the client scope', () => {
    const auth = parseSigV4Header(requestOf(byName('get-vanilla')));
    assert.deepEqual(
      [auth.accessKeyId, auth.scopeDate, auth.region, auth.service],
      ['AKIDEXAMPLE', '20150830', 'us-east-1', 'service'],
    );
  });
  it('post-sts-header-before: a signed security token verifies at the signature level', () => {
    const req = requestOf(byName('post-sts-header-before'));
    assert.equal(verifySigV4(req, SECRET, parseSigV4Header(req)), true);
  });
  it('post-sts-header-after: an unsigned token header does not change the signature', () => {
    const c = byName('post-sts-header-after');
    const req = withHeader(requestOf(c), 'x-amz-security-token', 'AQoDYXdzEPT//////////wEXAMPLE');
    assert.equal(verifySigV4(req, SECRET, parseSigV4Header(req)), true);
  });
  it('the Date header is used when X-Amz-Date is absent', () => {
    const c = extra.cases[0]!;
    const auth = parseSigV4Header(requestOf(c));
    assert.equal(auth.amzDate, '20110909T233600Z');
    assert.equal(auth.signedAt.toISOString(), '2011-09-09T23:36:00.000Z');
  });
  it('presigned parameters are read from the raw query, including X-Amz-Expires', () => {
    const c = extra.cases.find((x) => x.form === 'query')!;
    const req = requestOf(c);
    const auth = parseSigV4Query(req);
    assert.equal(auth.expiresSeconds, 3600);
    assert.equal(auth.form, 'query');
  });
});
