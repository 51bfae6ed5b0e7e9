import { createHmac, timingSafeEqual } from 'node:crypto';
import { ApiError } from './errors.ts';

/**
 * Opaque NextToken values. A token carries the last key of a page and is bound (by HMAC) to
 * the user, the action and the request's filter, so a token cannot be forged, edited, or
 * replayed against another listing; any of those gives InvalidNextToken.
 */
export class PageTokens {
  constructor(private readonly key: Buffer) {}

  /** Encodes the key after which the next page starts. */
  encode(scope: string, after: string): string {
    const payload = Buffer.from(after, 'utf8').toString('base64url');
    return `${payload}.${this.mac(scope, payload)}`;
  }

  /**
   * Decodes a token produced by `encode` for the same scope.
   * @throws ApiError InvalidNextToken when the token is empty, malformed or from another scope.
   */
  decode(scope: string, token: string): string {
    const dot = token.indexOf('.');
    const payload = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.mac(scope, payload), 'base64url');
    if (dot <= 0 || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new ApiError(
        'InvalidNextToken',
        `The token '${token.length > 80 ? `${token.slice(0, 80)}…` : token}' was invalid.`,
      );
    }
    return Buffer.from(payload, 'base64url').toString('utf8');
  }

  private mac(scope: string, payload: string): string {
    return createHmac('sha256', this.key).update(scope).update('\n').update(payload).digest('base64url').slice(0, 22);
  }
}

/**
 * MaxRecords with AWS's default and maximum.
 * @throws ApiError ValidationError outside 1..max.
 */
export function pageSize(maxRecords: number | undefined, defaultSize: number, max: number): number {
  if (maxRecords === undefined) return defaultSize;
  if (maxRecords < 1 || maxRecords > max) {
    throw new ApiError(
      'ValidationError',
      `1 validation error detected: Value '${maxRecords}' at 'maxRecords' failed to satisfy constraint: Member must have value between 1 and ${max}`,
    );
  }
  return maxRecords;
}

/**
 * Splits a fetched page (fetched with limit + 1 to look ahead) into the items to return and
 * the NextToken, which is omitted on the last page (an empty token is an error to clients).
 */
export function paginate<T>(
  rows: T[],
  limit: number,
  keyOf: (row: T) => string,
  tokens: PageTokens,
  scope: string,
): { items: T[]; nextToken?: string } {
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  return { items, nextToken: tokens.encode(scope, keyOf(items[items.length - 1]!)) };
}
