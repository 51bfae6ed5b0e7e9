import { parse as parseYaml } from 'yaml';
import type { Clock } from '../contracts/clock.ts';
import { PhantomError } from '../contracts/errors.ts';
import type { GroupRecord, UserId } from '../contracts/records.ts';
import type { Store } from '../contracts/store.ts';
import type { SiteConfig } from '../config/config.ts';
import { DriverConfigError } from '../drivers/driver-config-error.ts';
import { parseClouds, resolvePlacement, type PlacementContext } from '../domain/placement.ts';
import { invalid } from './deps.ts';
import { placementContext } from './groups.ts';
import { siteConfigOf, type SiteCatalog, type SiteSource } from './site-catalog.ts';

/** The administration of CLI-added sites (`phantom site add|list|remove`). */
const SETTING_KEY = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/**
 * Parses one `--set KEY=VALUE`: KEY is the config file's key (e.g. `region`, `bootMs`), VALUE a
 * YAML scalar or flow value (`0` is a number, `true` a boolean, `[a, b]` a list, `''` empty). Pure.
 * @throws PhantomError Validation naming the bad item.
 */
export function parseSetting(item: string): [key: string, value: unknown] {
  const eq = item.indexOf('=');
  const key = eq < 0 ? item : item.slice(0, eq);
  if (eq < 0 || !SETTING_KEY.test(key))
    throw invalid(`--set ${JSON.stringify(item)}: expected KEY=VALUE with KEY a site setting such as region or bootMs`);
  if (key === 'driver' || key === 'site')
    throw invalid(
      `--set ${key}=…: give the ${key === 'driver' ? 'driver with --driver' : 'site name as the argument'}`,
    );
  const raw = item.slice(eq + 1);
  try {
    return [key, raw.trim() === '' ? '' : (parseYaml(raw) as unknown)];
  } catch (error) {
    throw invalid(
      `--set ${key}: ${JSON.stringify(raw)} is not a YAML value (${(error as Error).message.split('\n')[0]})`,
    );
  }
}

/**
 * Parses every `--set` into one settings object. Pure.
 * @throws PhantomError Validation on a bad item or a key given twice.
 */
export function parseSettings(items: readonly string[]): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const item of items) {
    const [key, value] = parseSetting(item);
    if (Object.hasOwn(settings, key)) throw invalid(`--set ${key} is given more than once`);
    settings[key] = value;
  }
  return settings;
}

/** The stored settings of a validated site: its config without `driver` and `site`. Pure. */
export function settingsOf(config: SiteConfig): Record<string, unknown> {
  const { driver: _driver, site: _site, ...settings } = config;
  return settings;
}

/** What the site commands need. */
export interface SiteAdminDeps {
  store: Store;
  clock: Clock;
  /** Refreshed by each operation before it reads. */
  catalog: SiteCatalog;
}

/** Refuses to change a site of the config file (or an embedded default site). */
function refuseConfigured(catalog: SiteCatalog, name: string, verb: string): void {
  if (!catalog.isConfigured(name)) return;
  const { source, file } = catalog.configuredBy();
  throw invalid(
    source === 'config'
      ? `Site ${name} is defined in PHANTOM_CONFIG (${file}); it cannot be ${verb} from the CLI: edit that file instead.`
      : `Site ${name} is a default site (there is no PHANTOM_CONFIG); it cannot be ${verb} from the CLI: define your sites in a PHANTOM_CONFIG file instead.`,
  );
}

/** A driver's complaint in the CLI's terms: `Site x: --set bootMs must be …`. Pure. */
function cliMessage(name: string, error: DriverConfigError): string {
  const prefix = `site ${name}.`;
  if (!error.path.startsWith(prefix)) return error.message;
  const field = error.path.slice(prefix.length);
  const what = field === 'driver' ? '' : field === 'site' ? 'the site name ' : `--set ${field} `;
  return `Site ${name}: ${what}${error.message.slice(error.path.length + 2)}`;
}

/**
 * Adds a site, or replaces a CLI-added one of that name. Settings are validated by the
 * driver, by the same rules as the config file, before anything is stored. Idempotent.
 * @throws PhantomError Validation (config-file or default site name, unknown driver, bad setting).
 */
export async function addSite(
  deps: SiteAdminDeps,
  name: string,
  driver: string,
  settings: Record<string, unknown>,
): Promise<{ config: SiteConfig; replaced: boolean }> {
  await deps.catalog.refresh();
  refuseConfigured(deps.catalog, name, 'added or changed');
  let config: SiteConfig;
  try {
    config = siteConfigOf({ name, driver, settings });
  } catch (error) {
    if (error instanceof DriverConfigError) throw invalid(cliMessage(name, error));
    throw error;
  }
  const replaced = (await deps.store.getSite(name)) !== undefined;
  const now = deps.clock.now();
  await deps.store.putSite({
    name,
    driver: config.driver,
    settings: settingsOf(config),
    createdTime: now,
    updatedTime: now,
  });
  await deps.catalog.refresh();
  return { config, replaced };
}

/** One row of `phantom site list`: sites hold no secrets, so every setting is shown. */
export interface SiteRow {
  name: string;
  driver: string;
  source: SiteSource;
  settings: Record<string, unknown>;
}

/** Every known site: configured (or default) ones first, then CLI-added ones by name. */
export async function listSites(deps: Pick<SiteAdminDeps, 'catalog'>): Promise<SiteRow[]> {
  await deps.catalog.refresh();
  return deps.catalog
    .list()
    .map((e) => ({ name: e.config.site, driver: e.config.driver, source: e.source, settings: settingsOf(e.config) }));
}

/** Whether a group's placement names `site`: its AvailabilityZones, its clouds tag (even when the placement no longer resolves), or its resolved placement. Pure. */
function placementNames(group: GroupRecord, site: string, ctx: PlacementContext): boolean {
  if (group.availabilityZones.includes(site)) return true;
  const clouds = group.tags.find((t) => t.key === 'clouds')?.value;
  try {
    if (clouds !== undefined && parseClouds(clouds).some((c) => c.site === site)) return true;
  } catch {
    // an unparsable tag names nothing
  }
  try {
    return resolvePlacement(group, ctx).sites.some((s) => s.site === site);
  } catch {
    return false;
  }
}

/**
 * The groups that use `site`: instances or pending launches there, or a placement (clouds tag,
 * AvailabilityZones, launch configurations) naming it. Sorted `user/group` names. Reads each
 * owner's instances and launch configurations once.
 */
export async function groupsUsingSite(store: Store, known: readonly string[], site: string): Promise<string[]> {
  const users = new Map((await store.listUsers()).map((u) => [u.id, u.name]));
  const named = (owner: UserId, name: string) => `${users.get(owner) ?? owner}/${name}`;
  const using = new Set<string>();
  for (const intent of await store.listIntents({ site, states: ['pending'] }))
    using.add(named(intent.owner, intent.groupName));
  const byOwner = new Map<UserId, GroupRecord[]>();
  for (const group of await store.listAllGroups()) {
    const owned = byOwner.get(group.owner);
    if (owned) owned.push(group);
    else byOwner.set(group.owner, [group]);
  }
  for (const [owner, groups] of byOwner) {
    const instances = await store.listInstancesOfGroups(
      owner,
      groups.map((g) => g.name),
    );
    const ctx = await placementContext(store, known, owner);
    for (const group of groups) {
      const there = instances.get(group.name)?.some((i) => i.site === site) ?? false;
      if (there || (!group.deleting && placementNames(group, site, ctx))) using.add(named(owner, group.name));
    }
  }
  return [...using].sort();
}

/**
 * Removes a CLI-added site. Refused while a group uses it unless `force` (its groups then
 * fail to launch there until the site is added again). Users' credentials for it are kept.
 * @throws PhantomError Validation (config-file or default site), NotFound (no such site),
 *   ResourceInUse (groups use it, naming them).
 */
export async function removeSite(deps: SiteAdminDeps, name: string, force: boolean): Promise<{ usedBy: string[] }> {
  await deps.catalog.refresh();
  refuseConfigured(deps.catalog, name, 'removed');
  if (!(await deps.store.getSite(name)))
    throw new PhantomError(
      'NotFound',
      `No site ${name} was added with phantom site add; known sites: ${deps.catalog.names().join(', ') || '(none)'}`,
    );
  const usedBy = await groupsUsingSite(deps.store, deps.catalog.names(), name);
  if (usedBy.length > 0 && !force) {
    throw new PhantomError(
      'ResourceInUse',
      `Site ${name} is in use by ${usedBy.length === 1 ? 'group' : 'groups'} ${usedBy.join(', ')}; delete ${usedBy.length === 1 ? 'it' : 'them'} or move them off the site first, or pass --force.`,
    );
  }
  await deps.store.deleteSite(name);
  await deps.catalog.refresh();
  return { usedBy };
}
