import { isCloudError, type CloudInstance } from '../../contracts/cloud.ts';
import type {
  GroupRecord,
  InstanceRecord,
  LaunchConfigurationRecord,
  LaunchIntentRecord,
} from '../../contracts/records.ts';
import { parseHealthCheck, type HttpHealthCheck } from '../../domain/health-check.ts';
import { resolvePlacement, type SiteCap } from '../../domain/placement.ts';
import type { SelectedEngine } from '../../engines/registry.ts';
import { directReads, type DomainReads } from '../domain-reads.ts';
import { domainTags } from '../ownership.ts';
import type { ReconcilerDeps } from './deps.ts';

/**
 * Lists one domain's instances on one site. The default lists by the domain's tags; the
 * controller's routine pass shares one listing per owner and site among all domains instead.
 * @throws CloudError when the site cannot be listed (the domain leaves that site alone this pass).
 */
export type SiteObserver = (
  owner: string,
  site: string,
  groupName: string,
  signal: AbortSignal,
) => Promise<CloudInstance[]>;

/** An instance's failed HTTP health check: its description, and whether it ever passed. */
export interface FailedCheck {
  description: string;
  neverPassed: boolean;
}

/** A cloud instance nothing explains (or that failed in the cloud), to terminate. */
export interface Orphan {
  site: string;
  id: string;
  reason: 'failed-in-cloud' | 'untracked';
}

/**
 * One domain as a pass sees it: read once at the start, then kept up to date by the pass
 * itself as it writes (never re-read mid-pass).
 */
export interface DomainState {
  readonly group: GroupRecord;
  /** The domain's ranked sites and caps (none when its placement no longer resolves: it can only shrink). */
  readonly sites: readonly SiteCap[];
  readonly engine: SelectedEngine;
  readonly httpCheck: HttpHealthCheck | undefined;
  /** Instance records by id. */
  readonly records: Map<string, InstanceRecord>;
  /** Launch intents still pending, by intent id. */
  readonly pending: Map<string, LaunchIntentRecord>;
  /** Cloud instances per observed site; sites that could not be listed are absent. */
  readonly observed: Map<string, CloudInstance[]>;
  /** Every observed cloud instance by id. */
  readonly clouds: Map<string, CloudInstance>;
  readonly failedChecks: Map<string, FailedCheck>;
  readonly orphans: Orphan[];
  /** Launch configurations read this pass, by name (undefined: there is none). */
  readonly launchConfigurations: Map<string, LaunchConfigurationRecord | undefined>;
  /** Sites where this pass's launch budget ran out. */
  readonly budgetSpent: Set<string>;
}

/** The pass's inputs: the group, its placement, its records and intents, and the clouds' view. Undefined: no group. */
export async function observe(
  deps: ReconcilerDeps,
  owner: string,
  groupName: string,
  signal: AbortSignal,
  using: { observe?: SiteObserver; reads?: DomainReads },
): Promise<DomainState | undefined> {
  const reads = using.reads ?? directReads(deps.store);
  const group = await reads.group(owner, groupName);
  if (!group) return undefined;
  const { sites, httpCheck } = specOf(group, deps.knownSites(), await reads.launchConfigurationNames(owner));
  const records = await reads.instances(owner, groupName);
  const intents = await reads.pendingIntents(owner, groupName);
  const siteNames = new Set([
    ...sites.map((s) => s.site),
    ...records.map((r) => r.site),
    ...intents.map((i) => i.site),
  ]);
  const observed = await listSites(using.observe ?? listDomainOnSite(deps), group, siteNames, signal);
  await deps.pause?.();
  const clouds = new Map<string, CloudInstance>();
  for (const instances of observed.values()) for (const cloud of instances) clouds.set(cloud.id, cloud);
  await deps.pause?.();
  const byId = new Map(records.map((r) => [r.instanceId, r]));
  await deps.pause?.();
  return {
    group,
    sites,
    engine: deps.engines.select(group),
    httpCheck,
    records: byId,
    pending: new Map(intents.map((i) => [i.intentId, i])),
    observed,
    clouds,
    failedChecks: new Map(),
    orphans: [],
    launchConfigurations: new Map(),
    budgetSpent: new Set(),
  };
}

/** The default observer: one listing call per site for this domain alone. */
export const listDomainOnSite =
  (deps: Pick<ReconcilerDeps, 'driverFor' | 'installationId'>): SiteObserver =>
  async (owner, site, groupName, signal) =>
    (await deps.driverFor(owner, site)).listInstances(
      { tags: domainTags(deps.installationId, owner, groupName) },
      signal,
    );

async function listSites(
  observeSite: SiteObserver,
  group: GroupRecord,
  sites: Set<string>,
  signal: AbortSignal,
): Promise<Map<string, CloudInstance[]>> {
  const observed = new Map<string, CloudInstance[]>();
  for (const site of sites) {
    try {
      observed.set(site, await observeSite(group.owner, site, group.name, signal));
    } catch (error) {
      if (!isCloudError(error)) throw error; // a site we cannot see is left alone this pass
    }
  }
  return observed;
}

interface Spec {
  knownSites: string;
  launchConfigurationNames: readonly string[];
  sites: SiteCap[];
  httpCheck: HttpHealthCheck | undefined;
}

/**
 * What a group record's tags say, per record while the sites and launch configuration names
 * stay the same (the record cache hands out the same objects until they change). A pure memo
 * of immutable inputs: resolving placement and the health check costs a few µs per domain.
 */
const specs = new WeakMap<GroupRecord, Spec>();

function specOf(group: GroupRecord, knownSites: readonly string[], launchConfigurationNames: readonly string[]): Spec {
  const key = knownSites.join('\u0000');
  const memo = specs.get(group);
  if (memo && memo.knownSites === key && memo.launchConfigurationNames === launchConfigurationNames) return memo;
  let sites: SiteCap[] = [];
  try {
    sites = resolvePlacement(group, { knownSites, launchConfigurationNames }).sites;
  } catch {
    // keeps no sites
  }
  const spec = { knownSites: key, launchConfigurationNames, sites, httpCheck: httpHealthCheckOf(group) };
  specs.set(group, spec);
  return spec;
}

/** The group's HTTP health check, unless none is defined or HealthCheck is suspended. */
function httpHealthCheckOf(group: GroupRecord): HttpHealthCheck | undefined {
  if (group.suspendedProcesses.some((p) => p.processName === 'HealthCheck')) return undefined;
  try {
    return parseHealthCheck(group.tags);
  } catch {
    return undefined; // tags are checked when written; an old bad one checks nothing
  }
}

/** Records not yet terminated. */
export const live = (r: InstanceRecord): boolean => r.lifecycleState !== 'Terminated';
