import { createHmac, timingSafeEqual } from 'node:crypto';
import { PhantomError } from '../contracts/errors.ts';

/**
 * Opaque NextToken values. A token carries the last key of a page and is bound (by HMAC) to
 * the user, the action and the request's filter, so a token cannot be forged, edited, or
 * replayed against another listing; any of those gives InvalidNextToken.
 */
export class PageTokens {
  /** @param key Required. The HMAC key; tokens from another key are refused. */
  constructor(private readonly key: Buffer) {}

  /** Encodes the key after which the next page starts. Pure: the same input gives the same token. */
  encode(scope: string, after: string): string {
    const payload = Buffer.from(after, 'utf8').toString('base64url');
    return `${payload}.${this.mac(scope, payload)}`;
  }

  /**
   * Decodes a token produced by `encode` for the same scope.
   * @throws PhantomError InvalidNextToken when the token is empty, malformed or from another scope.
   */
  decode(scope: string, token: string): string {
    const dot = token.indexOf('.');
    const payload = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.mac(scope, payload), 'base64url');
    if (dot <= 0 || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new PhantomError(
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
