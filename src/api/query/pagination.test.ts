import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from './errors.ts';
import { pageSize, paginate, PageTokens } from './pagination.ts';

const tokens = new PageTokens(Buffer.alloc(32, 7));
const invalidToken = (e: unknown) => e instanceof ApiError && e.code === 'InvalidNextToken';

describe('page tokens', () => {
  it('round-trip within their scope', () => {
    assert.equal(tokens.decode('s', tokens.encode('s', 'group-49')), 'group-49');
  });
  it('refuse empty, edited, foreign-scope and other-key tokens', () => {
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
  it('paginate omits NextToken on the last page', () => {
    const last = paginate([1, 2], 2, String, tokens, 's');
    assert.deepEqual(last, { items: [1, 2] });
    const more = paginate([1, 2, 3], 2, String, tokens, 's');
    assert.deepEqual(more.items, [1, 2]);
    assert.equal(tokens.decode('s', more.nextToken!), '2');
  });
  it('pageSize applies defaults and bounds', () => {
    assert.equal(pageSize(undefined, 50, 100), 50);
    assert.equal(pageSize(100, 50, 100), 100);
    assert.throws(
      () => pageSize(101, 50, 100),
      (e: unknown) => e instanceof ApiError && e.code === 'ValidationError',
    );
    assert.throws(
      () => pageSize(0, 50, 100),
      (e: unknown) => e instanceof ApiError && e.code === 'ValidationError',
    );
  });
});
