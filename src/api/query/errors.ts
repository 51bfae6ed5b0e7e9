import { isPhantomError, type PhantomErrorCode } from '../../contracts/errors.ts';

/**
 * The one error table of the Query API: every AWS error code Phantom answers with, and its
 * HTTP status. `Type` in the XML body is Sender for 4xx and Receiver for 5xx.
 */
export const AWS_ERRORS = {
  AlreadyExists: 400,
  IncompleteSignature: 400,
  InternalFailure: 500,
  InvalidAction: 400,
  InvalidClientTokenId: 403,
  InvalidNextToken: 400,
  InvalidParameterCombination: 400,
  InvalidParameterValue: 400,
  InvalidQueryParameter: 400,
  LimitExceeded: 400,
  MalformedQueryString: 404,
  MissingAction: 400,
  MissingAuthenticationToken: 403,
  MissingParameter: 400,
  RequestEntityTooLarge: 413,
  RequestHeaderFieldsTooLarge: 431,
  RequestExpired: 400,
  RequestTimeout: 408,
  ResourceContention: 500,
  ResourceInUse: 400,
  ScalingActivityInProgress: 400,
  ServiceUnavailable: 503,
  SignatureDoesNotMatch: 403,
  Throttling: 400,
  ValidationError: 400,
  MethodNotAllowed: 405,
} as const;

export type AwsErrorCode = keyof typeof AWS_ERRORS;

/** An error that reaches the client as `<ErrorResponse>` with this code and message. */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: AwsErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = AWS_ERRORS[code];
  }
}

const FROM_PHANTOM: Record<PhantomErrorCode, AwsErrorCode> = {
  AlreadyExists: 'AlreadyExists',
  NotFound: 'ValidationError',
  ResourceInUse: 'ResourceInUse',
  ScalingActivityInProgress: 'ScalingActivityInProgress',
  LimitExceeded: 'LimitExceeded',
  Validation: 'ValidationError',
  Conflict: 'ResourceContention',
  InvalidNextToken: 'InvalidNextToken',
};

/**
 * Maps anything thrown by a handler to the ApiError the client sees. Unknown errors become
 * InternalFailure with a generic message (the caller logs the original with the request id).
 */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (isPhantomError(error)) return new ApiError(FROM_PHANTOM[error.code], error.message);
  return new ApiError('InternalFailure', 'An internal error occurred; the request id identifies it in the server log.');
}
