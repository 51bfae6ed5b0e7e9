import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isPhantomError } from '../contracts/errors.ts';
import { PageTokens } from './page-tokens.ts';

const tokens = new PageTokens(Buffer.alloc(32, 7));
const invalidToken = (e: unknown) => isPhantomError(e) && e.code === 'InvalidNextToken';

describe('page tokens', () => {
  it('round-trip within their scope', () => {
    assert.equal(tokens.decode('s', tokens.encode('s', 'group-49')), 'group-49');
  });
  it('refuse empty, edited, foreign-scope and other-key tokens with PhantomError InvalidNextToken', () => {
    const token = tokens.encode('s', 'group-49');
    assert.throws(() => tokens.decode('s', ''), invalidToken);
    assert.throws(() => tokens.decode('other', token), invalidToken);
    assert.throws(
      () => tokens.decode('s', `${Buffer.from('group-99').toString('base64url')}${token.slice(token.indexOf('.'))}`),
      invalidToken,
    );
    assert.throws(() => new PageTokens(Buffer.alloc(32, 8)).decode('s', token), invalidToken);
    assert.throws(() => tokens.decode('s', 'garbage'), invalidToken);
  });
});
