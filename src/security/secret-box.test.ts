import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SecretBox } from './secret-box.ts';

describe('SecretBox', () => {
  const box = new SecretBox(Buffer.alloc(32, 1));
  it('round-trips and never contains the plaintext', () => {
    const sealed = box.seal('canary-secret-123', 'AKID1');
    assert.doesNotMatch(sealed, /canary/);
    assert.equal(box.open(sealed, 'AKID1'), 'canary-secret-123');
  });
  it('uses a fresh nonce each time', () => {
    assert.notEqual(box.seal('x', 'a'), box.seal('x', 'a'));
  });
  it('refuses another record, another key and tampering', () => {
    const sealed = box.seal('s', 'AKID1');
    assert.throws(() => box.open(sealed, 'AKID2'));
    assert.throws(() => new SecretBox(Buffer.alloc(32, 2)).open(sealed, 'AKID1'));
    const last = sealed.at(-3) === 'A' ? 'B' : 'A';
    assert.throws(() => box.open(sealed.slice(0, -3) + last + sealed.slice(-2), 'AKID1'));
    assert.throws(() => new SecretBox(Buffer.alloc(16)));
  });
});
