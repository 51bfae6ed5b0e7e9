import { ApiError } from '../query/errors.ts';

/**
 * Date parsing, formatting and clock-skew checks for request signatures. Every check throws
 * `RequestExpired` (HTTP 400) with AWS-like text; none of them looks at credentials.
 */

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const IMF_FIXDATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Builds a UTC date and rejects out-of-range fields (month 13, Feb 30, hour 24, ...). */
function utc(y: number, mo: number, d: number, h: number, mi: number, s: number): Date | undefined {
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  const same =
    date.getUTCFullYear() === y &&
    date.getUTCMonth() === mo - 1 &&
    date.getUTCDate() === d &&
    date.getUTCHours() === h &&
    date.getUTCMinutes() === mi &&
    date.getUTCSeconds() === s;
  return same ? date : undefined;
}

/**
 * Parses the SigV4 basic ISO 8601 form `yyyymmddThhmmssZ` (X-Amz-Date).
 * @returns the instant, or undefined when the text is not exactly that form or not a real date.
 */
export function parseAmzDate(text: string): Date | undefined {
  const m = AMZ_DATE.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return utc(y, mo, d, h, mi, s);
}

/**
 * Parses an HTTP `Date` header in IMF-fixdate form (`Mon, 09 Sep 2011 23:36:00 GMT`), the only
 * form SDKs send.
 * @returns the instant, or undefined for any other form.
 */
export function parseHttpDate(text: string): Date | undefined {
  const m = IMF_FIXDATE.exec(text);
  if (!m) return undefined;
  const month = MONTHS.indexOf(m[2]!) + 1;
  return utc(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/**
 * Parses a SigV2 `Timestamp`/`Expires` value: extended ISO 8601 with `Z` or a numeric offset,
 * optional fractional seconds (`2026-11-24T23:53:47Z`, `2011-10-03T15:19:30.000Z`).
 * @returns the instant, or undefined when malformed.
 */
export function parseIso8601(text: string): Date | undefined {
  const m = ISO_8601.exec(text);
  if (!m) return undefined;
  const base = utc(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  if (!base) return undefined;
  const millis = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  const zone = m[8]!;
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const digits = zone.replace(':', '');
    const hours = Number(digits.slice(1, 3));
    const minutes = Number(digits.slice(3, 5));
    if (hours > 23 || minutes > 59) return undefined;
    offsetMinutes = (hours * 60 + minutes) * (digits[0] === '-' ? -1 : 1);
  }
  return new Date(base.getTime() + millis - offsetMinutes * 60_000);
}

/** Formats an instant as `yyyymmddThhmmssZ`. */
export function formatAmzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function minutes(ms: number): string {
  return `${Math.round(ms / 60_000)} min.`;
}

/**
 * SigV4 header form: the signing time must be within `maxSkewMs` of now, in either direction.
 * @throws ApiError RequestExpired when it is not.
 */
export function checkSigV4Skew(signedAt: Date, now: Date, maxSkewMs: number): void {
  // Dates are formatted only for the error message, never on the accepted path.
  if (now.getTime() - signedAt.getTime() > maxSkewMs) {
    const earliest = formatAmzDate(new Date(now.getTime() - maxSkewMs));
    throw new ApiError(
      'RequestExpired',
      `Signature expired: ${formatAmzDate(signedAt)} is now earlier than ${earliest} (${formatAmzDate(now)} - ${minutes(maxSkewMs)})`,
    );
  }
  if (signedAt.getTime() - now.getTime() > maxSkewMs) {
    const latest = formatAmzDate(new Date(now.getTime() + maxSkewMs));
    throw new ApiError(
      'RequestExpired',
      `Signature not yet current: ${formatAmzDate(signedAt)} is still later than ${latest} (${formatAmzDate(now)} + ${minutes(maxSkewMs)})`,
    );
  }
}

/**
 * SigV4 presigned form: valid from `signedAt - maxSkewMs` until `signedAt + expiresSeconds`.
 * @throws ApiError RequestExpired outside that window.
 */
export function checkPresignedWindow(signedAt: Date, expiresSeconds: number, now: Date, maxSkewMs: number): void {
  if (signedAt.getTime() - now.getTime() > maxSkewMs) checkSigV4Skew(signedAt, now, maxSkewMs);
  const expiry = new Date(signedAt.getTime() + expiresSeconds * 1000);
  if (now.getTime() > expiry.getTime()) {
    throw new ApiError(
      'RequestExpired',
      `Request has expired: the presigned request expired at ${formatAmzDate(expiry)} (X-Amz-Date ${formatAmzDate(signedAt)} + X-Amz-Expires ${expiresSeconds} s); it is now ${formatAmzDate(now)}.`,
    );
  }
}

/**
 * SigV2 `Timestamp`: must be within `maxSkewMs` of now in either direction.
 * @throws ApiError RequestExpired when it is not.
 */
export function checkSigV2Timestamp(timestamp: Date, now: Date, maxSkewMs: number): void {
  const delta = now.getTime() - timestamp.getTime();
  if (delta > maxSkewMs) {
    throw new ApiError(
      'RequestExpired',
      `Request has expired. Timestamp date is ${timestamp.toISOString()}; it is now ${now.toISOString()} and the allowed clock skew is ${minutes(maxSkewMs)}`,
    );
  }
  if (-delta > maxSkewMs) {
    throw new ApiError(
      'RequestExpired',
      `Request timestamp is too far in the future. Timestamp date is ${timestamp.toISOString()}; it is now ${now.toISOString()} and the allowed clock skew is ${minutes(maxSkewMs)}`,
    );
  }
}

/**
 * SigV2 `Expires`: the request is rejected once now is past it, and when it lies more than
 * `maxSkewMs` in the future (an overly long-lived signature).
 * @throws ApiError RequestExpired in either case.
 */
export function checkSigV2Expires(expires: Date, now: Date, maxSkewMs: number): void {
  if (now.getTime() > expires.getTime()) {
    throw new ApiError(
      'RequestExpired',
      `Request has expired. Expires date is ${expires.toISOString()}; it is now ${now.toISOString()}`,
    );
  }
  if (expires.getTime() - now.getTime() > maxSkewMs) {
    throw new ApiError(
      'RequestExpired',
      `Request expiration is too far in the future. Expires date is ${expires.toISOString()}; it may be at most ${minutes(maxSkewMs)} after ${now.toISOString()}`,
    );
  }
}
