import { PhantomError } from '../contracts/errors.ts';
import type { Tag } from '../contracts/records.ts';

/**
 * Group tags that turn on an HTTP health check (optional, any group):
 * - `health_check_url`: the URL to GET, with placeholders `{address}` (public address, else
 *   private), `{public_address}`, `{private_address}` and `{instance_id}`; http or https.
 * - `health_check_failures`: consecutive failed checks that make an instance Unhealthy (1-10,
 *   default 3).
 * A check passes on any 2xx or 3xx answer within the timeout. No check counts until the
 * group's HealthCheckGracePeriod has passed since the instance launched.
 */
export const HEALTH_CHECK_TAG = { url: 'health_check_url', failures: 'health_check_failures' } as const;

/** A group's HTTP health check. */
export interface HttpHealthCheck {
  urlTemplate: string;
  failures: number;
}

/** The addresses a health check URL may use. */
export interface CheckedInstance {
  id: string;
  publicAddress?: string;
  privateAddress?: string;
}

const PLACEHOLDER = /\{([a-z_]+)\}/g;

/** Each placeholder's value for an instance, as it goes into the URL (undefined: the instance lacks it). */
const PLACEHOLDERS: Readonly<Record<string, (instance: CheckedInstance) => string | undefined>> = {
  address: (i) => hostPart(i.publicAddress ?? i.privateAddress),
  public_address: (i) => hostPart(i.publicAddress),
  private_address: (i) => hostPart(i.privateAddress),
  instance_id: (i) => encodeURIComponent(i.id),
};

/**
 * The health check the tags define, or undefined when `health_check_url` is absent. Pure.
 * @throws PhantomError Validation naming the tag: unknown placeholder, not an http(s) URL,
 *   failures out of range, or failures without a URL.
 */
export function parseHealthCheck(tags: readonly Tag[]): HttpHealthCheck | undefined {
  const url = tags.find((t) => t.key === HEALTH_CHECK_TAG.url)?.value;
  const failuresText = tags.find((t) => t.key === HEALTH_CHECK_TAG.failures)?.value;
  if (url === undefined) {
    if (failuresText !== undefined)
      throw invalid(`Tag ${HEALTH_CHECK_TAG.failures} needs a ${HEALTH_CHECK_TAG.url} tag.`);
    return undefined;
  }
  for (const [, name] of url.matchAll(PLACEHOLDER)) {
    if (!Object.hasOwn(PLACEHOLDERS, name!))
      throw invalid(
        `Tag ${HEALTH_CHECK_TAG.url}: unknown placeholder {${name}}; use {address}, {public_address}, {private_address} or {instance_id}.`,
      );
  }
  const sample = fill(url, { id: 'i-0123456789abcdef0', publicAddress: '192.0.2.1', privateAddress: '10.0.0.1' });
  if (sample === undefined || !URL.canParse(sample) || !/^https?:$/.test(new URL(sample).protocol)) {
    throw invalid(
      `Tag ${HEALTH_CHECK_TAG.url} must be an http or https URL, e.g. http://{address}:8080/health (got ${JSON.stringify(url)}).`,
    );
  }
  const failures = failuresText === undefined ? 3 : Number(failuresText);
  if (!Number.isInteger(failures) || failures < 1 || failures > 10)
    throw invalid(
      `Tag ${HEALTH_CHECK_TAG.failures} must be a whole number from 1 to 10 (got ${JSON.stringify(failuresText)}).`,
    );
  return { urlTemplate: url, failures };
}

/** The URL to check for one instance, or undefined when it lacks the address the template needs. Pure. */
export function healthCheckUrl(check: HttpHealthCheck, instance: CheckedInstance): string | undefined {
  return fill(check.urlTemplate, instance);
}

function fill(template: string, instance: CheckedInstance): string | undefined {
  let missing = false;
  const filled = template.replace(PLACEHOLDER, (_, name: string) => {
    const value = PLACEHOLDERS[name]?.(instance);
    if (value === undefined) missing = true;
    return value ?? '';
  });
  return missing ? undefined : filled;
}

/** IPv6 addresses go in brackets inside a URL. */
function hostPart(address: string | undefined): string | undefined {
  return address?.includes(':') ? `[${address}]` : address;
}

const invalid = (message: string) => new PhantomError('Validation', message);
