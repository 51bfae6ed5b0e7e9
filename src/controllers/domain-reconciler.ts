import { isCloudError, type CloudDriver, type CloudInstance } from '../contracts/cloud.ts';
import type { Clock } from '../contracts/clock.ts';
import type { DecisionEngine, EngineInstance, Plan } from '../contracts/engine.ts';
import type {
  GroupRecord,
  InstanceRecord,
  LaunchConfigurationRecord,
  LaunchIntentRecord,
} from '../contracts/records.ts';
import type { ControllerEvents, LaunchBudget, ReconcileResult } from '../contracts/reconcile.ts';
import type { Store } from '../contracts/store.ts';
import { parseLaunchConfigurationName, siteEntryName } from '../domain/names.ts';
import { resolvePlacement, type SiteCap } from '../domain/placement.ts';
import { directReads, type DomainReads } from './domain-reads.ts';
import { completeTermination, recordLaunch, recordTermination } from '../services/activities.ts';
import type { SiteBackoff } from './runtime/backoff.ts';
import { domainTags, lifecycleOf, TAG } from './ownership.ts';
import type { HealthChecks } from './health/http-prober.ts';
import { parseHealthCheck, type HttpHealthCheck } from '../domain/health-check.ts';

/** What one domain's reconcile pass needs (composed by the controller runtime). */
export interface ReconcilerDeps {
  store: Store;
  clock: Clock;
  /** This Phantom installation's id, carried in every instance's tags. */
  installationId: string;
  /** The site's driver with the owner's credentials. @throws CloudError (e.g. auth: no credentials). */
  driverFor(owner: string, site: string): Promise<CloudDriver>;
  backoff: SiteBackoff;
  engine: DecisionEngine;
  engineConfig: unknown;
  knownSites(): readonly string[];
  newIntentId(): string;
  /** How long an instance may be missing from its cloud (or an untracked one may exist) before acting. */
  graceMs: number;
  /** Optional. HTTP health checks of groups that define one (see domain/health-check.ts). */
  health?: HealthChecks;
  /** Optional. Launch slots of the current batch; absent = unbounded. */
  launchBudget?: LaunchBudget;
  /** Optional. Where decisions are reported; absent = nowhere. */
  events?: ControllerEvents;
}

/** Cloud instances of the domain per observed site; sites that could not be listed are absent. */
type Observation = Map<string, CloudInstance[]>;

const live = (i: InstanceRecord) => i.lifecycleState !== 'Terminated';

/**
 * One level-triggered pass over one domain: observe every relevant site by the domain's tags,
 * bring the store in line with the clouds (adopting launched intents), ask the engine for a
 * plan and carry it out — intent written before each launch, the same client token on retry,
 * ownership tags on the create call, capacity/quota/auth failures backed off and overflowed to
 * the next site within the same pass. A group being deleted is removed once nothing is left.
 * Safe to run again at any point: it never trusts what the previous pass intended to do.
 */
export async function reconcileDomain(
  deps: ReconcilerDeps,
  owner: string,
  groupName: string,
  signal: AbortSignal,
  using: { observe?: SiteObserver; reads?: DomainReads } = {},
): Promise<ReconcileResult> {
  const reads = using.reads ?? directReads(deps.store);
  const group = await reads.group(owner, groupName);
  if (!group) return {};
  const launchConfigurationNames = await reads.launchConfigurationNames(owner);
  const sites = sitesOf(group, deps.knownSites(), launchConfigurationNames);
  const records = await reads.instances(owner, groupName);
  const intents = await reads.pendingIntents(owner, groupName);
  const observed = await observe(
    using.observe ?? listDomainOnSite(deps),
    group,
    new Set([...sites.map((s) => s.site), ...records.map((r) => r.site), ...intents.map((i) => i.site)]),
    signal,
  );
  const current = await sync(deps, group, records, intents, observed, signal);
  if (group.deleting && current.records.filter(live).length === 0 && current.pending.length === 0) {
    await deps.store.deleteGroup(owner, groupName);
    return {};
  }
  for (const intent of current.pending)
    if (deps.launchBudget?.take(owner, intent.site) !== false) await launch(deps, group, intent.site, signal, intent);
  // Unless something was written, the engine's first round starts from what sync saw.
  await act(
    deps,
    group,
    sites,
    signal,
    current.unhealthy,
    current.wrote || current.pending.length > 0 ? undefined : current,
  );
  return {};
}

/** Placements resolved per group record, while the sites and launch configuration names stay the same. */
const placements = new WeakMap<
  GroupRecord,
  { knownSites: string; launchConfigurationNames: readonly string[]; sites: SiteCap[] }
>();

/**
 * The group's sites and caps. A group whose placement no longer resolves (e.g. its launch
 * configurations are gone while it is being deleted) keeps no sites: it can only shrink.
 * Memoised per group record (the record cache hands out the same object until it changes).
 */
function sitesOf(
  group: GroupRecord,
  knownSites: readonly string[],
  launchConfigurationNames: readonly string[],
): SiteCap[] {
  const key = knownSites.join('\u0000');
  const memo = placements.get(group);
  if (memo && memo.knownSites === key && memo.launchConfigurationNames === launchConfigurationNames) return memo.sites;
  let sites: SiteCap[] = [];
  try {
    sites = resolvePlacement(group, { knownSites, launchConfigurationNames }).sites;
  } catch {
    // keeps no sites
  }
  placements.set(group, { knownSites: key, launchConfigurationNames, sites });
  return sites;
}

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

/** The default observer: one listing call per site for this domain alone. */
export const listDomainOnSite =
  (deps: Pick<ReconcilerDeps, 'driverFor' | 'installationId'>): SiteObserver =>
  async (owner, site, groupName, signal) =>
    (await deps.driverFor(owner, site)).listInstances(
      { tags: domainTags(deps.installationId, owner, groupName) },
      signal,
    );

async function observe(
  observeSite: SiteObserver,
  group: GroupRecord,
  sites: Set<string>,
  signal: AbortSignal,
): Promise<Observation> {
  const observed: Observation = new Map();
  for (const site of sites) {
    try {
      observed.set(site, await observeSite(group.owner, site, group.name, signal));
    } catch (error) {
      if (!isCloudError(error)) throw error; // a site we cannot see is left alone this pass
    }
  }
  return observed;
}

/**
 * Brings records and intents in line with what the clouds report: launched intents are adopted,
 * record states follow the cloud, instances gone from the cloud (after the grace window) are
 * forgotten, and tagged instances nothing explains are terminated after the grace window.
 */
async function sync(
  deps: ReconcilerDeps,
  group: GroupRecord,
  records: InstanceRecord[],
  intents: LaunchIntentRecord[],
  observed: Observation,
  signal: AbortSignal,
) {
  const now = deps.clock.now();
  const byId = new Map(records.map((r) => [r.instanceId, r]));
  const pending = new Map(intents.map((i) => [i.intentId, i]));
  const httpCheck = httpHealthCheckOf(group);
  const unhealthy = new Map<string, string>();
  let wrote = false;
  for (const [site, instances] of observed) {
    const orphans: string[] = [];
    for (const cloud of instances) {
      // A failed instance (an OpenStack server in ERROR) may still hold quota: release it.
      if (cloud.state === 'failed') orphans.push(cloud.id);
      const intentId = cloud.tags[TAG.intent];
      const intent = intentId === undefined ? undefined : pending.get(intentId);
      if (intent) {
        pending.delete(intent.intentId);
        wrote = true;
        await deps.store.updateIntent({ ...intent, state: 'launched', instanceId: cloud.id, updatedTime: now });
      }
      const record = byId.get(cloud.id);
      if (record) {
        const seen = lifecycleOf(cloud);
        // A user's Terminating and a SetInstanceHealth(Unhealthy) stick until the cloud says gone.
        const lifecycleState =
          record.lifecycleState === 'Terminating' && seen.lifecycleState !== 'Terminated'
            ? record.lifecycleState
            : seen.lifecycleState;
        let healthStatus = record.healthStatus === 'Unhealthy' ? 'Unhealthy' : seen.healthStatus;
        const failure =
          httpCheck && lifecycleState === 'InService' && healthStatus === 'Healthy'
            ? httpVerdict(deps, group, httpCheck, record, cloud, now)
            : undefined;
        if (failure !== undefined) {
          healthStatus = 'Unhealthy';
          unhealthy.set(cloud.id, failure);
        }
        // Unchanged records (the common case) are kept as they are: no copy, no write.
        if (lifecycleState !== record.lifecycleState || healthStatus !== record.healthStatus) {
          const next: InstanceRecord = { ...record, lifecycleState, healthStatus };
          wrote = true;
          await deps.store.putInstance(next);
          byId.set(cloud.id, next);
        }
      } else if (intent || intentId !== undefined) {
        if (lifecycleOf(cloud).lifecycleState === 'Terminated') continue;
        const adopted = newRecord(group, site, cloud, intent?.launchConfigurationName ?? group.launchConfigurationName);
        wrote = true;
        await deps.store.putInstance(adopted);
        byId.set(cloud.id, adopted);
      } else if (
        cloud.state !== 'terminated' &&
        cloud.state !== 'failed' &&
        now.getTime() - cloud.launchedAt.getTime() > deps.graceMs
      ) {
        orphans.push(cloud.id);
      }
    }
    if (orphans.length > 0) await terminateOn(deps, group.owner, site, orphans, signal);
  }
  // By id per site: a find per record would be quadratic (a 5,000-instance domain, 25M compares).
  const observedById = new Map([...observed].map(([site, list]) => [site, new Map(list.map((c) => [c.id, c]))]));
  for (const record of [...byId.values()]) {
    const seen = observedById.get(record.site);
    if (!seen) continue; // site not observed this pass: keep what we know
    const cloud = seen.get(record.instanceId);
    const gone = cloud
      ? lifecycleOf(cloud).lifecycleState === 'Terminated'
      : now.getTime() - record.createdTime.getTime() > deps.graceMs;
    if (gone) {
      wrote = true;
      await completeTermination(
        deps.store,
        record,
        now,
        cloud ? `${cloud.state}${cloud.stateReason ? ` (${cloud.stateReason})` : ''}` : 'missing',
      );
      deps.health?.forget(record.instanceId);
      await deps.store.deleteInstance(group.owner, record.instanceId);
      byId.delete(record.instanceId);
    }
  }
  return { records: [...byId.values()], pending: [...pending.values()], wrote, unhealthy };
}

/** HTTP health checks parsed per group record, like `placements` (a parse costs ~3 µs per domain per pass). */
const httpChecks = new WeakMap<GroupRecord, { check: HttpHealthCheck | undefined }>();

/** The group's HTTP health check, unless none is defined or HealthCheck is suspended. */
function httpHealthCheckOf(group: GroupRecord): HttpHealthCheck | undefined {
  let memo = httpChecks.get(group);
  if (!memo) {
    let check: HttpHealthCheck | undefined;
    try {
      check = group.suspendedProcesses.some((p) => p.processName === 'HealthCheck')
        ? undefined
        : parseHealthCheck(group.tags);
    } catch {
      // tags are checked when written; an old bad one checks nothing
    }
    httpChecks.set(group, (memo = { check }));
  }
  return memo.check;
}

/** The HTTP health check's verdict on an in-service instance, once its grace period is over. */
function httpVerdict(
  deps: ReconcilerDeps,
  group: GroupRecord,
  check: HttpHealthCheck,
  record: InstanceRecord,
  cloud: CloudInstance,
  now: Date,
): string | undefined {
  if (!deps.health || now.getTime() < record.createdTime.getTime() + group.healthCheckGracePeriod * 1000)
    return undefined;
  return deps.health.verdict(group.owner, group.name, check, cloud); // a CloudInstance is a CheckedInstance
}

function newRecord(
  group: GroupRecord,
  site: string,
  cloud: CloudInstance,
  launchConfigurationName: string,
): InstanceRecord {
  return {
    owner: group.owner,
    groupName: group.name,
    instanceId: cloud.id,
    site,
    ...lifecycleOf(cloud),
    launchConfigurationName,
    instanceType: cloud.instanceType,
    protectedFromScaleIn: group.newInstancesProtectedFromScaleIn,
    createdTime: cloud.launchedAt,
  };
}

/** Asks the engine and carries out its plan; launch failures that back a site off trigger a re-plan. */
async function act(
  deps: ReconcilerDeps,
  group: GroupRecord,
  sites: SiteCap[],
  signal: AbortSignal,
  failedChecks: Map<string, string>,
  seen?: { records: InstanceRecord[]; pending: LaunchIntentRecord[] },
): Promise<void> {
  for (let round = 0; round < sites.length + 1; round++) {
    const now = deps.clock.now();
    const records = (
      round === 0 && seen ? seen.records : await deps.store.listInstances(group.owner, { groupName: group.name })
    ).filter(live);
    const inFlight =
      round === 0 && seen
        ? seen.pending
        : await deps.store.listIntents({ owner: group.owner, groupName: group.name, states: ['pending'] });
    const instances: EngineInstance[] = [
      ...records
        .filter((r) => r.lifecycleState !== 'Terminating')
        .map((r) => ({
          instanceId: r.instanceId,
          site: r.site,
          healthy: r.healthStatus === 'Healthy',
          launchedAt: r.createdTime,
          protectedFromScaleIn: r.protectedFromScaleIn,
        })),
      ...inFlight.map((i) => ({
        instanceId: i.intentId,
        site: i.site,
        healthy: true,
        launchedAt: i.createdTime,
        protectedFromScaleIn: true,
      })),
    ];
    const engineSites = sites.map((s) => {
      const backedOffUntil = deps.backoff.launchUntil(s.site, group.owner, now);
      return backedOffUntil ? { ...s, backedOffUntil } : s;
    });
    const plan = deps.engine.decide(
      { desired: group.deleting ? 0 : group.desiredCapacity, sites: engineSites, instances, now },
      deps.engine.parseConfig(deps.engineConfig),
    );
    // Suspended processes (SuspendProcesses) hold back that kind of action; a group being
    // deleted is torn down regardless, as AWS does with ForceDelete.
    const suspended = new Set(group.deleting ? [] : group.suspendedProcesses.map((p) => p.processName));
    const allowed = plan.terminations.filter((t) =>
      t.reason === 'unhealthy' ? !suspended.has('ReplaceUnhealthy') : !suspended.has('Terminate'),
    );
    if (round === 0) await terminate(deps, group, records, allowed, failedChecks, signal);
    if (suspended.has('Launch')) return;
    let backedOff = false;
    for (const { site, count } of plan.launches) {
      for (let i = 0; i < count && !backedOff; i++) {
        if (deps.launchBudget?.take(group.owner, site) === false) break;
        backedOff = !(await launch(deps, group, site, signal));
      }
      if (backedOff) break;
    }
    if (!backedOff) return;
  }
}

/** Terminates the chosen instances plus any the user already marked Terminating: one cloud call per site. */
async function terminate(
  deps: ReconcilerDeps,
  group: GroupRecord,
  records: InstanceRecord[],
  chosen: Plan['terminations'],
  failedChecks: Map<string, string>,
  signal: AbortSignal,
): Promise<void> {
  if (chosen.length === 0 && !records.some((r) => r.lifecycleState === 'Terminating')) return;
  const now = deps.clock.now();
  const bySite = new Map<string, string[]>();
  for (const record of records) {
    const picked = chosen.find((t) => t.instanceId === record.instanceId);
    if (!picked && record.lifecycleState !== 'Terminating') continue;
    if (picked && record.lifecycleState !== 'Terminating') {
      await deps.store.putInstance({ ...record, lifecycleState: 'Terminating' });
      const check = failedChecks.get(record.instanceId);
      const why =
        picked.reason !== 'unhealthy'
          ? 'a difference between desired and actual capacity'
          : `its health status being Unhealthy${check ? ` (${check})` : ''}`;
      await recordTermination(
        deps.store,
        record,
        now,
        `At ${now.toISOString()} an instance was taken out of service in response to ${why}.`,
      );
    }
    const ids = bySite.get(record.site);
    if (ids) ids.push(record.instanceId);
    else bySite.set(record.site, [record.instanceId]);
  }
  for (const [site, ids] of bySite) await terminateOn(deps, group.owner, site, ids, signal);
}

/** Asks `site` to terminate `ids`. A cloud error leaves them to the next pass; the rest of this one goes on. */
async function terminateOn(
  deps: ReconcilerDeps,
  owner: string,
  site: string,
  ids: string[],
  signal: AbortSignal,
): Promise<void> {
  try {
    await (await deps.driverFor(owner, site)).terminate(ids, signal);
  } catch (error) {
    if (!isCloudError(error)) throw error;
  }
}

/**
 * Launches one instance on `site` (or retries `existing` with its own token). The intent is
 * stored before the cloud call. Returns false when the site refused and is now backed off.
 */
async function launch(
  deps: ReconcilerDeps,
  group: GroupRecord,
  site: string,
  signal: AbortSignal,
  existing?: LaunchIntentRecord,
): Promise<boolean> {
  const now = deps.clock.now();
  const lc = existing
    ? await deps.store.getLaunchConfiguration(group.owner, existing.launchConfigurationName)
    : await entryFor(deps, group, site);
  const intent: LaunchIntentRecord = existing ?? {
    intentId: deps.newIntentId(),
    owner: group.owner,
    groupName: group.name,
    site,
    launchConfigurationName: lc?.name ?? group.launchConfigurationName,
    state: 'pending',
    attempts: 0,
    createdTime: now,
    updatedTime: now,
    generation: 0,
  };
  if (!existing) await deps.store.createIntent(intent);
  try {
    if (!lc)
      throw new Error(
        `Launch configuration ${parseLaunchConfigurationName(group.launchConfigurationName).base} has no entry for site ${site}`,
      );
    const driver = await deps.driverFor(group.owner, site);
    const cloud = await driver.launch(
      {
        clientToken: intent.intentId,
        imageId: lc.imageId,
        instanceType: lc.instanceType,
        keyName: lc.keyName,
        userData: lc.userData,
        securityGroups: lc.securityGroups,
        tags: { ...domainTags(deps.installationId, group.owner, group.name), [TAG.intent]: intent.intentId },
      },
      signal,
    );
    await deps.store.updateIntent({
      ...intent,
      state: 'launched',
      instanceId: cloud.id,
      attempts: intent.attempts + 1,
      updatedTime: deps.clock.now(),
    });
    await deps.store.putInstance(newRecord(group, site, cloud, lc.name));
    deps.backoff.launchSuccess(site, group.owner);
    await recordLaunch(deps.store, group, site, { instanceId: cloud.id }, now, deps.clock.now());
    return true;
  } catch (error) {
    const kind = isCloudError(error) ? error.kind : 'invalid';
    const message = isCloudError(error) ? error.providerMessage : (error as Error).message;
    const retrySameToken = kind === 'transient' || kind === 'throttled';
    await deps.store.updateIntent({
      ...intent,
      state: retrySameToken ? 'pending' : 'failed',
      attempts: intent.attempts + 1,
      lastError: message,
      updatedTime: deps.clock.now(),
    });
    await recordLaunch(deps.store, group, site, { error: message }, now, deps.clock.now());
    if (retrySameToken) return true;
    deps.backoff.launchFailure(site, group.owner, kind, deps.clock.now());
    return false;
  }
}

/** The launch configuration entry serving `site`: `name@site`, else the site-agnostic `name`. */
async function entryFor(
  deps: ReconcilerDeps,
  group: GroupRecord,
  site: string,
): Promise<LaunchConfigurationRecord | undefined> {
  const { base } = parseLaunchConfigurationName(group.launchConfigurationName);
  return (
    (await deps.store.getLaunchConfiguration(group.owner, siteEntryName(base, site))) ??
    (await deps.store.getLaunchConfiguration(group.owner, base))
  );
}
