import { randomBytes } from 'node:crypto';
import type { Clock } from '../../contracts/clock.ts';
import type { RawRequest } from '../http/raw-request.ts';
import { ApiError } from '../query/errors.ts';
import type { Param } from '../query/form.ts';
import { checkPresignedWindow, checkSigV2Expires, checkSigV2Timestamp, checkSigV4Skew } from './auth-time.ts';
import { parseSigV2, SIGV2_PARAMS, verifySigV2, type SigV2Auth } from './sigv2.ts';
import {
  parseSigV4Header,
  parseSigV4Query,
  SigningKeyCache,
  SigV4ParseMemo,
  verifySigV4,
  type SigV4Auth,
} from './sigv4.ts';

/** How a request proved its identity. A closed union: every consumer switches exhaustively. */
export type AuthMethod = 'sigv2' | 'sigv4-header' | 'sigv4-query';

/** The caller behind a request, returned only after a signature check succeeded. */
export interface VerifiedIdentity {
  accessKeyId: string;
  userId: string;
  method: AuthMethod;
}

/**
 * Finds the secret for an access key id. Resolves undefined for an unknown (or disabled) key;
 * may reject on storage failure (the rejection propagates unchanged).
 */
export type SecretLookup = (accessKeyId: string) => Promise<{ userId: string; secret: string } | undefined>;

/** Options of {@link Authenticator}. */
export interface AuthenticatorOptions {
  /** Required. Secret lookup by access key id. */
  lookup: SecretLookup;
  /** Required. Source of "now" for the clock-skew checks. */
  clock: Clock;
  /** Optional. Allowed clock skew in ms; default 15 minutes. */
  maxSkewMs?: number;
  /** Optional. Signing-key cache to use (e.g. shared, or inspected by tests); default a new 1000-entry cache. */
  keyCache?: SigningKeyCache;
}

/** A request's credential, parsed and inside its time window, not yet checked against a secret. */
type Parsed = { method: 'sigv4-header' | 'sigv4-query'; auth: SigV4Auth } | { method: 'sigv2'; auth: SigV2Auth };

/** Default allowed clock skew (15 minutes, as AWS). */
export const DEFAULT_MAX_SKEW_MS = 15 * 60 * 1000;

const PRESIGN_MARKERS = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature'];
const TOKEN_PARAMS = ['X-Amz-Security-Token', 'SecurityToken'];

/** The AWS texts for the credential errors. */
export const AUTH_MESSAGES = {
  missing: 'Request is missing Authentication Token',
  unknownKey: 'The security token included in the request is invalid.',
  badSignature:
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
} as const;

/**
 * Decides which single credential style a request uses.
 * @param req Required.
 * @param params Required. Decoded query params followed by decoded form-body params.
 * @throws ApiError MissingAuthenticationToken when no style is present;
 *   InvalidParameterCombination when more than one is (e.g. Authorization header and
 *   AWSAccessKeyId or X-Amz-Credential parameters).
 */
export function detectAuthMethod(req: RawRequest, params: readonly Param[]): AuthMethod {
  let presigned = false;
  let sigV2 = false;
  for (let i = 0; i < params.length; i++) {
    const name = params[i]![0];
    if (PRESIGN_MARKERS.includes(name)) presigned = true;
    if ((SIGV2_PARAMS as readonly string[]).includes(name)) sigV2 = true;
  }
  const found: AuthMethod[] = [];
  if (req.headers.has('authorization')) found.push('sigv4-header');
  if (presigned) found.push('sigv4-query');
  if (sigV2) found.push('sigv2');
  const [only] = found;
  if (only === undefined) throw new ApiError('MissingAuthenticationToken', AUTH_MESSAGES.missing);
  if (found.length > 1) {
    throw new ApiError(
      'InvalidParameterCombination',
      'Only one authentication mechanism is allowed: send the Authorization header, the X-Amz-* presigned query parameters, or the Signature Version 2 parameters (AWSAccessKeyId, Signature, ...), not more than one.',
    );
  }
  return only;
}

/**
 * The single authentication entry point; run it before routing. It returns an identity only
 * after a signature over the raw request verified against the stored secret and the request
 * time is inside the allowed window. Secrets never appear in errors or logs.
 */
export class Authenticator {
  private readonly lookup: SecretLookup;
  private readonly clock: Clock;
  private readonly maxSkewMs: number;
  private readonly keyCache: SigningKeyCache;
  /** Recently parsed SigV4 Credential, SignedHeaders and X-Amz-Date texts. */
  private readonly parseMemo = new SigV4ParseMemo();
  /** Stand-in secret for unknown keys, so that path does the same HMAC work as a bad signature. */
  private readonly dummySecret = randomBytes(30).toString('base64');

  /** @throws RangeError when maxSkewMs is negative or not finite. */
  constructor(opts: AuthenticatorOptions) {
    this.lookup = opts.lookup;
    this.clock = opts.clock;
    this.maxSkewMs = opts.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
    if (!Number.isFinite(this.maxSkewMs) || this.maxSkewMs < 0)
      throw new RangeError('maxSkewMs must be a finite number >= 0');
    this.keyCache = opts.keyCache ?? new SigningKeyCache(1000);
  }

  /**
   * Authenticates one request.
   * @param req Required. The raw request (raw path, query, header values and body bytes).
   * @param params Required. Decoded query params + decoded form-body params, in that order.
   * @returns the verified identity.
   * @throws ApiError MissingAuthenticationToken (no credentials), InvalidParameterCombination
   *   (more than one credential style), IncompleteSignature (malformed or unsupported
   *   signature), MissingParameter / InvalidParameterValue (SigV2 date parameters),
   *   RequestExpired (outside the time window), InvalidClientTokenId (unknown access key, or a
   *   session token, which this service never issues), SignatureDoesNotMatch (bad signature,
   *   scope date, or x-amz-content-sha256). Rejections of `lookup` propagate unchanged.
   */
  async authenticate(req: RawRequest, params: readonly Param[]): Promise<VerifiedIdentity> {
    const parsed = this.parse(req, params);
    // The only await: one async frame per request (this was two, plus a verify closure).
    const found = await this.lookup(parsed.auth.accessKeyId);
    const ok = this.verify(req, params, parsed, found ? found.secret : this.dummySecret);
    if (!found) throw new ApiError('InvalidClientTokenId', AUTH_MESSAGES.unknownKey);
    if (!ok) throw new ApiError('SignatureDoesNotMatch', AUTH_MESSAGES.badSignature);
    return { accessKeyId: parsed.auth.accessKeyId, userId: found.userId, method: parsed.method };
  }

  /** Everything that needs no secret: the credential style, its structure and its time window. */
  private parse(req: RawRequest, params: readonly Param[]): Parsed {
    const method = detectAuthMethod(req, params);
    if ((req.headers.get('host')?.length ?? 0) > 1)
      throw new ApiError('IncompleteSignature', 'The request must not contain more than one Host header.');
    if (req.headers.has('x-amz-security-token') || params.some(([name]) => TOKEN_PARAMS.includes(name))) {
      throw new ApiError('InvalidClientTokenId', AUTH_MESSAGES.unknownKey);
    }
    const now = this.clock.now();
    switch (method) {
      case 'sigv4-header': {
        const auth = parseSigV4Header(req, this.parseMemo);
        checkSigV4Skew(auth.signedAt, now, this.maxSkewMs);
        return { method, auth };
      }
      case 'sigv4-query': {
        const auth = parseSigV4Query(req, this.parseMemo);
        checkPresignedWindow(auth.signedAt, auth.expiresSeconds ?? 0, now, this.maxSkewMs);
        return { method, auth };
      }
      case 'sigv2': {
        const auth = parseSigV2(params);
        if (auth.timestamp) checkSigV2Timestamp(auth.timestamp, now, this.maxSkewMs);
        if (auth.expires) checkSigV2Expires(auth.expires, now, this.maxSkewMs);
        if (!req.headers.has('host'))
          throw new ApiError('IncompleteSignature', 'Signature Version 2 requires a Host header.');
        return { method, auth };
      }
      default: {
        const unreachable: never = method;
        throw new ApiError('IncompleteSignature', `Unsupported authentication method ${String(unreachable)}.`);
      }
    }
  }

  /** The signature check against one secret (the stored one, or the dummy for unknown keys). */
  private verify(req: RawRequest, params: readonly Param[], parsed: Parsed, secret: string): boolean {
    return parsed.method === 'sigv2'
      ? verifySigV2(req, params, secret, parsed.auth)
      : verifySigV4(req, secret, parsed.auth, this.keyCache);
  }
}
