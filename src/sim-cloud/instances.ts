import { createHash } from 'node:crypto';
import type { CloudInstance, InstanceState, LaunchRequest } from '../contracts/cloud.ts';
import { Ec2Error, invalidParameter } from './ec2-errors.ts';
import type { Ec2Params } from './ec2-params.ts';
import type { Ec2XmlValue } from './ec2-xml.ts';

/** The account id every simulated resource belongs to. */
export const SIM_OWNER_ID = '000000000000';

/** EC2's instance state names and codes. */
const EC2_STATES: Record<InstanceState, { code: number; name: string }> = {
  pending: { code: 0, name: 'pending' },
  running: { code: 16, name: 'running' },
  terminating: { code: 32, name: 'shutting-down' },
  terminated: { code: 48, name: 'terminated' },
  stopping: { code: 64, name: 'stopping' },
  stopped: { code: 80, name: 'stopped' },
  // EC2 has no "failed": an instance that fails to boot ends terminated with a Server.* reason.
  failed: { code: 48, name: 'terminated' },
};

/** The `{code, name}` EC2 reports for a normalised state. Pure. */
export const ec2State = (state: InstanceState): { code: number; name: string } => ({ ...EC2_STATES[state] });

/** A deterministic reservation id for an instance (each launch is its own reservation). Pure. */
export const reservationId = (instanceId: string): string =>
  `r-${createHash('sha256').update(instanceId).digest('hex').slice(0, 17)}`;

const dns = (prefix: string, address: string | undefined): string | undefined =>
  address === undefined ? undefined : `${prefix}-${address.replaceAll('.', '-')}.ec2.internal`;

function splitReason(reason: string | undefined): { code: string; message: string } | undefined {
  if (reason === undefined) return undefined;
  const colon = reason.indexOf(': ');
  return colon < 0
    ? { code: reason, message: reason }
    : { code: reason.slice(0, colon), message: reason.slice(colon + 2) };
}

const groupItem = (group: string): Ec2XmlValue => (group.startsWith('sg-') ? { groupId: group } : { groupName: group });

/** The `<item>` of one instance in an instancesSet. Pure. */
export function instanceXml(instance: CloudInstance, launch: LaunchRequest | undefined, site: string): Ec2XmlValue {
  const reason = splitReason(instance.stateReason);
  return {
    instanceId: instance.id,
    imageId: instance.imageId,
    instanceState: ec2State(instance.state),
    privateDnsName: dns('ip', instance.privateAddress) ?? '',
    dnsName: dns('ec2', instance.publicAddress) ?? '',
    reason: reason?.message,
    keyName: launch?.keyName,
    amiLaunchIndex: 0,
    instanceType: instance.instanceType,
    launchTime: instance.launchedAt,
    placement: { availabilityZone: site, tenancy: 'default' },
    monitoring: { state: 'disabled' },
    privateIpAddress: instance.privateAddress,
    ipAddress: instance.publicAddress,
    groupSet: (launch?.securityGroups ?? []).map(groupItem),
    stateReason: reason,
    architecture: 'x86_64',
    rootDeviceType: 'ebs',
    virtualizationType: 'hvm',
    clientToken: instance.clientToken,
    tagSet: Object.entries(instance.tags).map(([key, value]) => ({ key, value })),
    hypervisor: 'xen',
  };
}

/** One `Filter.N` of DescribeInstances. */
interface Filter {
  name: string;
  values: string[];
}

const SUPPORTED_FILTERS = ['tag-key', 'instance-state-name', 'client-token', 'instance-id'];

/** EC2 filter values may use `*` (any run) and `?` (one character). */
function matcher(pattern: string): (s: string) => boolean {
  if (!/[*?]/.test(pattern)) return (s) => s === pattern;
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '[\\s\\S]*')
    .replaceAll('?', '[\\s\\S]');
  const re = new RegExp(`^${source}$`);
  return (s) => re.test(s);
}

/**
 * Reads `Filter.N.Name` / `Filter.N.Value.M`.
 * @throws Ec2Error InvalidParameterValue for an unsupported filter name or a filter without values.
 */
export function parseFilters(params: Ec2Params): Filter[] {
  return params.structs('Filter').map((f) => {
    const name = f.get('Name') ?? '';
    if (!name.startsWith('tag:') && !SUPPORTED_FILTERS.includes(name)) {
      throw invalidParameter(`The filter '${name}' is invalid (supported: tag:<key>, ${SUPPORTED_FILTERS.join(', ')})`);
    }
    const values = f.list('Value');
    if (values.length === 0) throw invalidParameter(`The filter '${name}' must have at least one value`);
    return { name, values };
  });
}

/** Whether an instance passes every filter (values within one filter are alternatives). Pure. */
export function matchesFilters(instance: CloudInstance, filters: readonly Filter[]): boolean {
  return filters.every(({ name, values }) => {
    const tests = values.map(matcher);
    const any = (s: string | undefined): boolean => s !== undefined && tests.some((t) => t(s));
    if (name.startsWith('tag:')) return any(instance.tags[name.slice(4)]);
    switch (name) {
      case 'tag-key':
        return Object.keys(instance.tags).some(any);
      case 'instance-state-name':
        return any(ec2State(instance.state).name);
      case 'client-token':
        return any(instance.clientToken);
      case 'instance-id':
        return any(instance.id);
      default:
        return false;
    }
  });
}

/** Stable total order for pagination: launch time, then id. */
const order = (a: CloudInstance, b: CloudInstance): number =>
  a.launchedAt.getTime() - b.launchedAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

const encodeToken = (i: CloudInstance): string =>
  Buffer.from(JSON.stringify({ t: i.launchedAt.getTime(), id: i.id })).toString('base64url');

function decodeToken(token: string): { t: number; id: string } {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && 't' in parsed && 'id' in parsed) {
      const { t, id } = parsed;
      if (typeof t === 'number' && typeof id === 'string') return { t, id };
    }
  } catch {
    // fall through
  }
  throw new Ec2Error('InvalidPaginationToken', `The pagination token '${token.slice(0, 64)}' is invalid`);
}

/**
 * One page of instances after the opaque `nextToken` cursor (a position, so instances launched
 * or purged between pages neither repeat nor shift others). Pure.
 * @throws Ec2Error InvalidPaginationToken for a token this server did not issue.
 */
export function page(
  instances: CloudInstance[],
  maxResults: number | undefined,
  nextToken: string | undefined,
): { items: CloudInstance[]; nextToken?: string } {
  let sorted = [...instances].sort(order);
  if (nextToken !== undefined && nextToken !== '') {
    const { t, id } = decodeToken(nextToken);
    sorted = sorted.filter((i) => i.launchedAt.getTime() > t || (i.launchedAt.getTime() === t && i.id > id));
  }
  if (maxResults === undefined || sorted.length <= maxResults) return { items: sorted };
  const items = sorted.slice(0, maxResults);
  const last = items[items.length - 1];
  return last ? { items, nextToken: encodeToken(last) } : { items };
}
