import { createHash } from 'node:crypto';
import type { CloudInstance, InstanceState, LaunchRequest } from '../../contracts/cloud.ts';

/**
 * One simulated instance as the sim stores (and persists) it: the launch request it was created
 * from (user data base64, exactly as launched) plus what the sim decided. Times are epoch milliseconds.
 */
export interface SimInstanceRecord extends LaunchRequest {
  /** `i-` followed by 17 lowercase hex characters. */
  id: string;
  /** The sim uses `pending`, `running`, `failed` and `terminated`. */
  state: InstanceState;
  stateReason?: string;
  privateAddress: string;
  publicAddress: string;
  launchedAt: number;
  /** When the instance leaves `pending`. */
  bootsAt: number;
  /** Decided at launch (knob `launchFailureRate`): at `bootsAt` it becomes `failed`, not `running`. */
  failsAtBoot: boolean;
  /** When it became `terminated` or `failed`; drives the retention purge. */
  endedAt?: number;
}

/** The persisted form of one site's simulated cloud (JSON, version 1). */
export interface SimSnapshot {
  version: 1;
  site: string;
  /** Random salt chosen when the cloud was created: ids differ between fresh clouds. */
  epoch: string;
  /** Instances created so far; feeds ids and (modulo SIM_ADDRESSES_PER_SITE, skipping those in use) addresses. */
  sequence: number;
  instances: SimInstanceRecord[];
}

/** The deterministic instance id of the `sequence`-th instance of a cloud. Pure. */
export function simInstanceId(site: string, epoch: string, sequence: number): string {
  return `i-${createHash('sha256').update(`${site}:${epoch}:${sequence}`).digest('hex').slice(0, 17)}`;
}

/** How many instances of one site can hold an address at once (256 × 254 host numbers). */
export const SIM_ADDRESSES_PER_SITE = 256 * 254;

/**
 * The site's block of the loopback network: 0–126, from a hash of its name, so sites in one
 * process (e.g. hotel and sierra) get distinct addresses unless two names hash alike.
 */
function siteBlock(site: string): number {
  let block = siteBlocks.get(site);
  if (block === undefined) {
    block = createHash('sha256').update(site).digest().readUInt16BE(0) % 127;
    siteBlocks.set(site, block);
  }
  return block;
}
const siteBlocks = new Map<string, number>();

function hostOctets(index: number): string {
  const slot = index % SIM_ADDRESSES_PER_SITE;
  return `${Math.floor(slot / 254)}.${(slot % 254) + 1}`;
}

/**
 * Private address number `index` of a site: in 127.1.0.0–127.127.255.255, which Linux routes to
 * this machine, so nothing aimed at a simulated instance (health checks, later metrics) leaves
 * it, and a test can serve an instance's endpoint on its address. Pure.
 */
export const simPrivateAddress = (site: string, index: number): string =>
  `127.${1 + siteBlock(site)}.${hostOctets(index)}`;

/** Public address number `index` of a site: in 127.128.0.0–127.254.255.255 (loopback too). Pure. */
export const simPublicAddress = (site: string, index: number): string =>
  `127.${128 + siteBlock(site)}.${hostOctets(index)}`;

/** Whether an address is in 127.0.0.0/8 (state files before addresses were loopback held others). Pure. */
export const isLoopbackAddress = (address: string): boolean => /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address);

/**
 * A copy of a tag map. Built key by key, not by spread: V8 gives each object spread at a busy
 * call site its own hidden class, which for a sim holding 10,000 instances was ~4 MB of maps
 * and descriptor arrays; copies made this way share one. Pure.
 */
export function copyTags(tags: Readonly<Record<string, string>>): Record<string, string> {
  const copy: Record<string, string> = {};
  for (const key of Object.keys(tags)) copy[key] = tags[key]!;
  return copy;
}

/**
 * The contract's view of a record: the public address only once running, no addresses after the
 * instance ended. Its tags are the record's own tags object, which SimCloudState freezes when it
 * files the record: the sim never changes a record's tags, and callers cannot.
 */
export function toCloudInstance(record: SimInstanceRecord): CloudInstance {
  const live = record.state === 'pending' || record.state === 'running';
  return {
    id: record.id,
    state: record.state,
    ...(record.stateReason !== undefined ? { stateReason: record.stateReason } : {}),
    tags: record.tags,
    imageId: record.imageId,
    instanceType: record.instanceType,
    clientToken: record.clientToken,
    ...(live ? { privateAddress: record.privateAddress } : {}),
    ...(record.state === 'running' ? { publicAddress: record.publicAddress } : {}),
    launchedAt: new Date(record.launchedAt),
  };
}

/** A copy of the launch-request fields of `record` (a record is the request it was created from). Pure. */
export function copyLaunchRequest(record: LaunchRequest): LaunchRequest {
  const copy: LaunchRequest = {
    clientToken: record.clientToken,
    imageId: record.imageId,
    instanceType: record.instanceType,
    tags: copyTags(record.tags),
  };
  addOptionalLaunchFields(copy, record);
  return copy;
}

/**
 * Copies the optional launch-request fields `from` has onto `to`. Assigned after the object
 * literal rather than spread into it, so records of one kind share one hidden class (see copyTags).
 */
export function addOptionalLaunchFields(to: LaunchRequest, from: LaunchRequest): void {
  if (from.keyName !== undefined) to.keyName = from.keyName;
  if (from.userData !== undefined) to.userData = from.userData;
  if (from.securityGroups !== undefined) to.securityGroups = [...from.securityGroups];
}

/** Whether two launch requests ask for the same instance (EC2's IdempotentParameterMismatch check). Pure. */
export function sameLaunch(a: LaunchRequest, b: LaunchRequest): boolean {
  const tags = (t: Record<string, string>): string =>
    JSON.stringify(Object.entries(t).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
  return (
    a.imageId === b.imageId &&
    a.instanceType === b.instanceType &&
    a.keyName === b.keyName &&
    a.userData === b.userData &&
    tags(a.tags) === tags(b.tags)
  );
}
