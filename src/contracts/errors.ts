/**
 * Stable error codes raised below the API layer. The API maps each to an AWS error code
 * (src/api/query/errors.ts); the JSON API will map them to HTTP statuses.
 */
export type PhantomErrorCode =
  | 'AlreadyExists'
  | 'NotFound'
  | 'ResourceInUse'
  | 'ScalingActivityInProgress'
  | 'LimitExceeded'
  | 'Validation'
  | 'Conflict'
  | 'InvalidNextToken';

/** An expected failure with a stable `code` and a user-facing message (AWS wording where AWS has one). */
export class PhantomError extends Error {
  constructor(
    readonly code: PhantomErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PhantomError';
  }
}

export const isPhantomError = (e: unknown): e is PhantomError => e instanceof PhantomError;
