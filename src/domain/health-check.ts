import { PhantomError } from '../contracts/errors.ts';
import type { Tag } from '../contracts/records.ts';

/**
 * Group tags that turn on an HTTP health check (optional, any group):
 * - `health_check_url`: the URL to GET, with placeholders `{address}` (public address, else
 *   private), `{public_address}`, `{private_address}` and `{instance_id}`; http or https. Its
 *   host must be one of the three address placeholders, or a host the operator allows in the
 *   config file (`healthChecks.allowHosts`): a user may probe their own instances, nothing else.
 * - `health_check_failures`: consecutive failed checks that make an instance Unhealthy (1-10,
 *   default 3).
 * A check passes on any 2xx or 3xx answer within the timeout (redirects are never followed). No check counts until the
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

/** Required hosts of a URL template: what may stand between `scheme://` and the port. */
const ADDRESS_HOSTS: ReadonlySet<string> = new Set(['{address}', '{public_address}', '{private_address}']);
const AUTHORITY = /^https?:\/\/([^/?#\\]*)/i;
const HOST_RULE = `Tag ${HEALTH_CHECK_TAG.url}: the URL's host must be {address}, {public_address} or {private_address} (the instance's own address), optionally with a port, and no user name`;

/**
 * A host name or IP address in the form a URL's hostname takes (lower case, IPv4 normalised,
 * IPv6 in brackets), or undefined when it is not a valid host. Pure.
 */
export function canonicalHost(host: string): string | undefined {
  if (host === '' || /[/?#@\\\s{}]/.test(host)) return undefined;
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  try {
    const url = new URL(`http://${bracketed}/`);
    return url.port === '' ? url.hostname : undefined;
  } catch {
    return undefined;
  }
}

/** The host the template names: an address placeholder, or a literal host in canonical form. */
function templateHost(template: string): { placeholder: string } | { literal: string } | undefined {
  const authority = AUTHORITY.exec(template)?.[1];
  if (authority === undefined || authority.includes('@')) return undefined;
  const host = /^(.*?)(?::\d{1,5})?$/.exec(authority)![1]!;
  if (ADDRESS_HOSTS.has(host)) return { placeholder: host };
  const literal = canonicalHost(host);
  return literal === undefined ? undefined : { literal };
}

const SAMPLE: CheckedInstance = {
  id: 'i-0123456789abcdef0',
  publicAddress: '192.0.2.1',
  privateAddress: '198.51.100.1',
};
const SAMPLE_HOSTS: Readonly<Record<string, string>> = {
  '{address}': '192.0.2.1',
  '{public_address}': '192.0.2.1',
  '{private_address}': '198.51.100.1',
};

/** Why the check's host is refused, or undefined when it is the instance's own address or allowed. */
function hostRefusal(check: HttpHealthCheck, allowHosts: readonly string[]): string | undefined {
  const host = templateHost(check.urlTemplate);
  const allowed = allowHosts.map(canonicalHost);
  const expected =
    host === undefined
      ? undefined
      : 'placeholder' in host
        ? SAMPLE_HOSTS[host.placeholder]
        : allowed.includes(host.literal)
          ? host.literal
          : undefined;
  const sample = fill(check.urlTemplate, SAMPLE);
  const url = expected !== undefined && sample !== undefined && URL.canParse(sample) ? new URL(sample) : undefined;
  if (url && url.hostname === expected && url.username === '' && url.password === '') return undefined;
  const others = allowHosts.length > 0 ? `, or one the operator allows (${allowHosts.join(', ')})` : '';
  return `${HOST_RULE}${others}; got ${JSON.stringify(check.urlTemplate)}.`;
}

/**
 * Refuses a check whose URL could reach anything but the instance itself: the host must be an
 * address placeholder, or one of `allowHosts` (the operator's `healthChecks.allowHosts`). Pure.
 * @throws PhantomError Validation stating the rule.
 */
export function checkHealthCheckHost(check: HttpHealthCheck, allowHosts: readonly string[]): void {
  const refusal = hostRefusal(check, allowHosts);
  if (refusal !== undefined) throw invalid(refusal);
}

/**
 * What to probe for one instance: its URL, or why nothing may be probed (the instance lacks
 * the address, or the template's host is not allowed, e.g. stored before the rule or the
 * operator withdrew the host). Pure.
 */
export function healthCheckTarget(
  check: HttpHealthCheck,
  instance: CheckedInstance,
  allowHosts: readonly string[],
): { url: string } | { refused: string } {
  const refusal = hostRefusal(check, allowHosts);
  if (refusal !== undefined) return { refused: refusal };
  const url = fill(check.urlTemplate, instance);
  return url === undefined ? { refused: `instance ${instance.id} has no address for ${check.urlTemplate}` } : { url };
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
