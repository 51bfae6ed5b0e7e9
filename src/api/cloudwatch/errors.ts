import { isPhantomError, type PhantomErrorCode } from '../../contracts/errors.ts';
import { ApiError } from '../query/errors.ts';

/**
 * CloudWatch's error codes (botocore's model: the query code, its HTTP status, and the JSON
 * error shape name clients match `__type` against).
 */
export const CW_ERRORS = {
  InvalidParameterValue: { status: 400, shape: 'InvalidParameterValueException' },
  MissingParameter: { status: 400, shape: 'MissingRequiredParameterException' },
  InvalidParameterCombination: { status: 400, shape: 'InvalidParameterCombinationException' },
  InternalServiceError: { status: 500, shape: 'InternalServiceFault' },
  LimitExceeded: { status: 400, shape: 'LimitExceededFault' },
  InvalidNextToken: { status: 400, shape: 'InvalidNextToken' },
  InvalidAction: { status: 400, shape: 'InvalidAction' },
  UnknownOperationException: { status: 400, shape: 'UnknownOperationException' },
  MethodNotAllowed: { status: 405, shape: 'MethodNotAllowed' },
  ResourceNotFound: { status: 404, shape: 'ResourceNotFound' },
  InvalidFormat: { status: 400, shape: 'InvalidFormatFault' },
} as const;

export type CwErrorCode = keyof typeof CW_ERRORS;

/** A CloudWatch error as the client sees it: query code, message, status and JSON `__type`. */
export class CwError extends Error {
  readonly status: number;
  readonly shape: string;
  constructor(
    readonly code: string,
    message: string,
    status?: number,
    shape?: string,
  ) {
    super(message);
    this.name = 'CwError';
    const known = (CW_ERRORS as Record<string, { status: number; shape: string }>)[code];
    this.status = status ?? known?.status ?? 400;
    this.shape = shape ?? known?.shape ?? code;
  }
}

/** InvalidParameterValue with `message`. */
export const invalidValue = (message: string): CwError => new CwError('InvalidParameterValue', message);
/** MissingParameter for the parameter at `path`. */
export const missing = (path: string): CwError => new CwError('MissingParameter', `The parameter ${path} is required.`);

const FROM_PHANTOM: Record<PhantomErrorCode, CwErrorCode> = {
  AlreadyExists: 'InvalidParameterValue',
  NotFound: 'ResourceNotFound',
  ResourceInUse: 'InvalidParameterValue',
  ScalingActivityInProgress: 'InvalidParameterValue',
  LimitExceeded: 'LimitExceeded',
  Validation: 'InvalidParameterValue',
  Conflict: 'InternalServiceError',
  InvalidNextToken: 'InvalidNextToken',
};

/**
 * Maps anything thrown while answering to the error the client sees: authentication errors
 * (ApiError) keep their AWS code and status; unknown errors become InternalServiceError with a
 * generic message (the caller logs the original).
 */
export function toCwError(error: unknown): CwError {
  if (error instanceof CwError) return error;
  if (error instanceof ApiError) return new CwError(error.code, error.message, error.status, error.code);
  if (isPhantomError(error)) return new CwError(FROM_PHANTOM[error.code], error.message);
  return new CwError(
    'InternalServiceError',
    'An internal error occurred; the request id identifies it in the server log.',
  );
}
