import type { PageTokens } from '../../services/page-tokens.ts';
import { ApiError } from './errors.ts';

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
