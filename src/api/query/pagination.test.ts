import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PageTokens } from '../../services/page-tokens.ts';
import { ApiError, toApiError } from './errors.ts';
import { pageSize, paginate } from './pagination.ts';

const tokens = new PageTokens(Buffer.alloc(32, 7));

describe('pagination', () => {
  it('a forged token reaches the client as InvalidNextToken', () => {
    assert.throws(
      () => tokens.decode('s', 'garbage'),
      (e: unknown) => toApiError(e).code === 'InvalidNextToken' && toApiError(e).status === 400,
    );
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
