import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  awsEncode,
  canonicalQueryComponent,
  constantTimeEqualBase64,
  constantTimeEqualHex,
  encodeBytes,
  percentDecode,
  percentDecodeBytes,
  splitRawQuery,
} from './aws-encoding.ts';

describe('awsEncode', () => {
  it('keeps only RFC 3986 unreserved characters', () => {
    assert.equal(awsEncode('AZaz09-_.~'), 'AZaz09-_.~');
    assert.equal(awsEncode("!'()*"), '%21%27%28%29%2A');
    assert.equal(awsEncode('a b+c/d=e&f:g'), 'a%20b%2Bc%2Fd%3De%26f%3Ag');
    assert.equal(awsEncode('%'), '%25');
  });
  it('encodes UTF-8 with upper-case hex', () => {
    assert.equal(awsEncode('ሴ'), '%E1%88%B4');
    assert.equal(awsEncode('✓ é'), '%E2%9C%93%20%C3%A9');
    assert.equal(awsEncode('😀'), '%F0%9F%98%80');
  });
  it('does not throw on a lone surrogate', () => {
    assert.equal(awsEncode('a\ud800'), 'a%EF%BF%BD');
  });
  it('agrees with encodeBytes for valid UTF-8', () => {
    for (const s of ['', 'plain', "a b!'()*~", 'ሴ=bar', '𝒳'])
      assert.equal(encodeBytes(Buffer.from(s, 'utf8')), awsEncode(s));
  });
});

describe('raw percent-decoding (SigV4 canonical query, not form rules)', () => {
  it('keeps + as + and decodes %XX', () => {
    assert.equal(percentDecode('a+b'), 'a+b');
    assert.equal(percentDecode('a%2Bb%20c'), 'a+b c');
    assert.equal(percentDecode('%e1%88%b4'), 'ሴ');
  });
  it('takes a malformed % literally', () => {
    assert.deepEqual(percentDecodeBytes('%zz%4'), Buffer.from('%zz%4'));
    assert.equal(canonicalQueryComponent('100%'), '100%25');
  });
  it('re-encodes components canonically', () => {
    assert.equal(canonicalQueryComponent('a+b'), 'a%2Bb');
    assert.equal(canonicalQueryComponent('a%20b'), 'a%20b');
    assert.equal(canonicalQueryComponent('%7e%41'), '~A');
    assert.equal(canonicalQueryComponent('hotel%3A1'), 'hotel%3A1');
    assert.equal(canonicalQueryComponent('ሴ'), '%E1%88%B4');
    assert.equal(canonicalQueryComponent('*'), '%2A');
  });
  it('keeps invalid UTF-8 bytes as bytes', () => {
    assert.equal(canonicalQueryComponent('%FF%FE'), '%FF%FE');
  });
  it('splits a raw query without decoding', () => {
    assert.deepEqual(splitRawQuery(''), []);
    assert.deepEqual(splitRawQuery('a=1&&b&c=&d=x=y'), [
      ['a', '1'],
      ['b', ''],
      ['c', ''],
      ['d', 'x=y'],
    ]);
  });
});

describe('constant-time comparison', () => {
  const digest = createHmac('sha256', 'k').update('m').digest();
  it('hex: accepts the exact digest in either case', () => {
    assert.equal(constantTimeEqualHex(digest, digest.toString('hex')), true);
    assert.equal(constantTimeEqualHex(digest, digest.toString('hex').toUpperCase()), true);
  });
  it('hex: rejects wrong, short, long and non-hex input without throwing', () => {
    const hex = digest.toString('hex');
    assert.equal(constantTimeEqualHex(digest, hex.slice(0, -1) + (hex.endsWith('0') ? '1' : '0')), false);
    assert.equal(constantTimeEqualHex(digest, hex.slice(0, 62)), false);
    assert.equal(constantTimeEqualHex(digest, hex + '00'), false);
    assert.equal(constantTimeEqualHex(digest, ''), false);
    assert.equal(constantTimeEqualHex(digest, 'z'.repeat(64)), false);
    assert.equal(constantTimeEqualHex(Buffer.alloc(32), '0'.repeat(63) + 'g'), false);
  });
  it('hex: a zero digest does not match a malformed signature', () => {
    assert.equal(constantTimeEqualHex(Buffer.alloc(32), 'x'.repeat(64)), false);
  });
  it('base64: accepts the exact digest for SHA-256 and SHA-1 lengths', () => {
    const sha1 = createHash('sha1').update('m').digest();
    assert.equal(constantTimeEqualBase64(digest, digest.toString('base64')), true);
    assert.equal(constantTimeEqualBase64(sha1, sha1.toString('base64')), true);
  });
  it('base64: rejects wrong length, bad alphabet, a space for + and zero buffers', () => {
    const b64 = digest.toString('base64');
    assert.equal(constantTimeEqualBase64(digest, b64.slice(0, -2) + '=='), false);
    assert.equal(constantTimeEqualBase64(digest, b64 + 'AAAA'), false);
    assert.equal(constantTimeEqualBase64(digest, ''), false);
    assert.equal(constantTimeEqualBase64(digest, b64.replace(/[+/]/g, '-')), b64.search(/[+/]/) < 0);
    assert.equal(constantTimeEqualBase64(Buffer.alloc(32), '!'.repeat(44)), false);
    assert.equal(constantTimeEqualBase64(Buffer.alloc(20), 'A'.repeat(28)), false);
  });
});
