/**
 * How the fake Nova shows a server: the simulated instance (or a server the scheduler could
 * not place) as Nova's JSON, per microversion. Pure functions.
 */
import type { CloudInstance, InstanceState, LaunchRequest } from '../../contracts/cloud.ts';
import { badRequest, OsError } from './os-error.ts';
import type { FakeFlavor } from './resources.ts';
import { serverIdOf } from './resources.ts';

/**
 * The sim tag holding the Nova server name (the simulated cloud has no names). It is never
 * shown as metadata.
 */
export const NAME_TAG = 'sim-nova:name';

/** A server as the fake sees it, whatever backs it. */
export interface FakeServer {
  id: string;
  name: string;
  state: InstanceState;
  fault?: string;
  metadata: Record<string, string>;
  imageId: string;
  flavorId: string;
  keyName?: string;
  securityGroups: string[];
  privateAddress?: string;
  publicAddress?: string;
  created: number;
}

/** A simulated instance (and the request it was launched with) as a FakeServer. Pure. */
export function fromInstance(instance: CloudInstance, launch: LaunchRequest | undefined): FakeServer {
  const { [NAME_TAG]: name, ...metadata } = instance.tags;
  return {
    id: serverIdOf(instance.id),
    name: name ?? '',
    state: instance.state,
    ...(instance.stateReason !== undefined ? { fault: instance.stateReason } : {}),
    metadata,
    imageId: instance.imageId,
    flavorId: instance.instanceType,
    ...(launch?.keyName !== undefined ? { keyName: launch.keyName } : {}),
    securityGroups: launch?.securityGroups ?? [],
    ...(instance.privateAddress !== undefined ? { privateAddress: instance.privateAddress } : {}),
    ...(instance.publicAddress !== undefined ? { publicAddress: instance.publicAddress } : {}),
    created: instance.launchedAt.getTime(),
  };
}

const NOVA: Record<InstanceState, { status: string; vm: string; task: string | null; power: number }> = {
  pending: { status: 'BUILD', vm: 'building', task: 'spawning', power: 0 },
  running: { status: 'ACTIVE', vm: 'active', task: null, power: 1 },
  stopping: { status: 'ACTIVE', vm: 'active', task: 'powering-off', power: 1 },
  stopped: { status: 'SHUTOFF', vm: 'stopped', task: null, power: 4 },
  terminating: { status: 'ACTIVE', vm: 'active', task: 'deleting', power: 1 },
  terminated: { status: 'DELETED', vm: 'deleted', task: null, power: 0 },
  failed: { status: 'ERROR', vm: 'error', task: null, power: 0 },
};

/** The Nova status of a state. Pure. */
export const novaStatus = (state: InstanceState): string => NOVA[state].status;

/** Microversions the fake speaks. */
export const MIN_MICROVERSION = [2, 1] as const;
export const MAX_MICROVERSION = [2, 96] as const;

/**
 * The requested compute microversion (`X-OpenStack-Nova-API-Version` or
 * `OpenStack-API-Version: compute X`); absent = 2.1, `latest` = the maximum.
 * @throws OsError 400 malformed, 406 outside the supported range.
 */
export function microversion(headers: Record<string, string | undefined>): [number, number] {
  const generic = /^compute\s+(\S+)$/i.exec(headers['openstack-api-version'] ?? '')?.[1];
  const raw = generic ?? headers['x-openstack-nova-api-version'];
  if (raw === undefined || raw === '') return [...MIN_MICROVERSION];
  if (raw === 'latest') return [...MAX_MICROVERSION];
  const m = /^(\d+)\.(\d+)$/.exec(raw);
  if (!m) throw badRequest(`Invalid API version request string: ${raw.slice(0, 32)}`);
  const v: [number, number] = [Number(m[1]), Number(m[2])];
  if (atLeast(v, MAX_MICROVERSION) && !same(v, MAX_MICROVERSION))
    throw new OsError(
      406,
      'computeFault',
      `Version ${raw} is not supported by the API. Minimum is 2.1 and maximum is ${MAX_MICROVERSION.join('.')}.`,
    );
  if (!atLeast(v, MIN_MICROVERSION))
    throw new OsError(
      406,
      'computeFault',
      `Version ${raw} is not supported by the API. Minimum is 2.1 and maximum is ${MAX_MICROVERSION.join('.')}.`,
    );
  return v;
}

const same = (a: readonly number[], b: readonly number[]): boolean => a[0] === b[0] && a[1] === b[1];

/** Whether microversion `v` is at least `min`. Pure. */
export const atLeast = (v: readonly number[], min: readonly number[]): boolean =>
  (v[0] ?? 0) > (min[0] ?? 0) || ((v[0] ?? 0) === (min[0] ?? 0) && (v[1] ?? 0) >= (min[1] ?? 0));

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** `GET /servers/{id}` / `/servers/detail` view of one server. Pure. */
export function serverView(
  s: FakeServer,
  ctx: {
    computeUrl: string;
    projectId: string;
    userId: string;
    site: string;
    flavors: readonly FakeFlavor[];
    version: readonly number[];
  },
): Record<string, unknown> {
  const nova = NOVA[s.state];
  const flavor = ctx.flavors.find((f) => f.id === s.flavorId);
  const addresses: Array<Record<string, unknown>> = [];
  if (s.privateAddress !== undefined)
    addresses.push({
      version: 4,
      addr: s.privateAddress,
      'OS-EXT-IPS:type': 'fixed',
      'OS-EXT-IPS-MAC:mac_addr': 'fa:16:3e:00:00:01',
    });
  if (s.publicAddress !== undefined)
    addresses.push({
      version: 4,
      addr: s.publicAddress,
      'OS-EXT-IPS:type': 'floating',
      'OS-EXT-IPS-MAC:mac_addr': 'fa:16:3e:00:00:01',
    });
  const flavorView = atLeast(ctx.version, [2, 47])
    ? {
        original_name: flavor?.name ?? s.flavorId,
        vcpus: flavor?.vcpus ?? 1,
        ram: flavor?.ram ?? 1024,
        disk: flavor?.disk ?? 10,
        ephemeral: 0,
        swap: 0,
        extra_specs: {},
      }
    : { id: s.flavorId, links: [{ rel: 'bookmark', href: `${ctx.computeUrl}/flavors/${s.flavorId}` }] };
  return {
    id: s.id,
    name: s.name,
    status: nova.status,
    tenant_id: ctx.projectId,
    user_id: ctx.userId,
    metadata: s.metadata,
    hostId: s.state === 'running' ? 'a1b2c3d4e5f6' : '',
    image: { id: s.imageId, links: [{ rel: 'bookmark', href: `${ctx.computeUrl}/images/${s.imageId}` }] },
    flavor: flavorView,
    created: iso(s.created),
    updated: iso(s.created),
    addresses: addresses.length > 0 ? { private: addresses } : {},
    accessIPv4: '',
    accessIPv6: '',
    links: [{ rel: 'self', href: `${ctx.computeUrl}/servers/${s.id}` }],
    'OS-DCF:diskConfig': 'MANUAL',
    progress: s.state === 'running' ? 100 : 0,
    'OS-EXT-AZ:availability_zone': ctx.site,
    config_drive: '',
    key_name: s.keyName ?? null,
    'OS-SRV-USG:launched_at': s.state === 'running' ? iso(s.created) : null,
    'OS-SRV-USG:terminated_at': null,
    security_groups: s.securityGroups.map((name) => ({ name })),
    'OS-EXT-STS:task_state': nova.task,
    'OS-EXT-STS:vm_state': nova.vm,
    'OS-EXT-STS:power_state': nova.power,
    'os-extended-volumes:volumes_attached': [],
    ...(s.fault !== undefined && (s.state === 'failed' || s.state === 'terminated')
      ? { fault: { code: 500, created: iso(s.created), message: s.fault } }
      : {}),
  };
}
