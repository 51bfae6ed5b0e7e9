import type { CloudError, CloudErrorKind } from '../contracts/cloud.ts';
import type { ApiError } from '../api/query/errors.ts';

/** An error that reaches an EC2 client as `<Response><Errors><Error>` with this code, message and HTTP status. */
export class Ec2Error extends Error {
  constructor(
    /** The EC2 error code, e.g. `InvalidParameterValue`. */
    readonly code: string,
    message: string,
    /** HTTP status: 400 client errors, 401 auth, 503 throttling, 500 internal. */
    readonly status = 400,
  ) {
    super(message);
    this.name = 'Ec2Error';
  }
}

/** Shorthand for the commonest client error. */
export const invalidParameter = (message: string): Ec2Error => new Ec2Error('InvalidParameterValue', message);

/** Shorthand for a required parameter that is absent. */
export const missingParameter = (name: string): Ec2Error =>
  new Ec2Error('MissingParameter', `The request must contain the parameter ${name}`);

const KIND_CODES: Record<CloudErrorKind, { code: string; status: number }> = {
  capacity: { code: 'InsufficientInstanceCapacity', status: 400 },
  quota: { code: 'InstanceLimitExceeded', status: 400 },
  auth: { code: 'AuthFailure', status: 401 },
  invalid: { code: 'InvalidParameterValue', status: 400 },
  'not-found': { code: 'InvalidInstanceID.NotFound', status: 400 },
  throttled: { code: 'RequestLimitExceeded', status: 503 },
  transient: { code: 'InternalError', status: 500 },
};

/** EC2 codes the sim writes as a `Code: message` prefix and that may be passed through (same kind only). */
const PASS_THROUGH: Record<string, CloudErrorKind> = {
  IdempotentParameterMismatch: 'invalid',
  MissingParameter: 'invalid',
  TagLimitExceeded: 'invalid',
  InvalidParameterValue: 'invalid',
};

const PREFIXED = /^([A-Za-z][A-Za-z0-9.]*): ([\s\S]*)$/;

/**
 * The EC2 error for a CloudError: the code follows the kind (capacity →
 * InsufficientInstanceCapacity, quota → InstanceLimitExceeded, auth → AuthFailure 401,
 * invalid → InvalidParameterValue, not-found → InvalidInstanceID.NotFound, throttled →
 * RequestLimitExceeded 503, transient → InternalError 500), except that a more precise EC2 code
 * the sim put in front of its message (e.g. IdempotentParameterMismatch) is kept. Pure.
 */
export function fromCloudError(error: CloudError): Ec2Error {
  const { code, status } = KIND_CODES[error.kind];
  const match = PREFIXED.exec(error.providerMessage);
  if (!match) return new Ec2Error(code, error.providerMessage, status);
  const [, prefix = '', rest = ''] = match;
  return new Ec2Error(PASS_THROUGH[prefix] === error.kind ? prefix : code, rest, status);
}

/**
 * The EC2 error for a failed signature check (Phantom's Authenticator speaks the Auto Scaling
 * codes): unknown keys and bad signatures are EC2's `AuthFailure` (401); other credential
 * problems keep their code with status 401, except InvalidParameterCombination (400). Pure.
 */
export function fromAuthError(error: ApiError): Ec2Error {
  switch (error.code) {
    case 'InvalidClientTokenId':
    case 'SignatureDoesNotMatch':
      return new Ec2Error('AuthFailure', 'AWS was not able to validate the provided access credentials', 401);
    case 'InvalidParameterCombination':
      return new Ec2Error(error.code, error.message, 400);
    default:
      return new Ec2Error(error.code, error.message, 401);
  }
}

/**
 * Thrown by a handler when the simulated cloud did the work but its response is to be lost
 * (knob `loseLaunchResponseRate`): the server drops the connection without answering.
 */
export class LostResponse extends Error {
  constructor() {
    super('the response is lost (simulated)');
    this.name = 'LostResponse';
  }
}
