import { PhantomError } from '../contracts/errors.ts';
import type { Tag } from '../contracts/records.ts';
import { parseLaunchConfigurationName } from './names.ts';

/** The tag that makes a group a Phantom domain and names its decision engine. */
export const DEFINITION_TAG = 'PHANTOM_DEFINITION';
/** The only engine the original still ran after 2014, and the one Phantom implements. */
export const OVERFLOW_DEFINITION = 'error_overflow_n_preserving';
/** Tag keys the overflow definition reads; any other key on a domain is an ordinary tag. */
const OVERFLOW_KEYS = new Set(['clouds', 'minimum_vms', 'maximum_vms', 'phantom_de_name']);
/** The original's single-site sensor engine: a domain on the launch configuration's own site. */
export const SENSOR_DEFINITION = 'sensor_engine';
/** Keys of the original's sensor rule: any of them makes a domain a sensor domain (see engines/policies/sensor.ts). */
const SENSOR_RULE_KEYS = new Set([
  'metric',
  'sample_function',
  'cooldown_period',
  'scale_up_threshold',
  'scale_down_threshold',
  'scale_up_n_vms',
  'scale_down_n_vms',
]);
const KNOWN_DEFINITIONS = new Set([
  OVERFLOW_DEFINITION,
  'sensor_engine',
  'single_site_n_preserving',
  'multi_site_n_preserving',
]);

/** One site of a domain's ranked list; `max` -1 means unlimited. Rank is list position. */
export interface SiteCap {
  site: string;
  max: number;
}

/** Where a group's instances may go, in rank order, and which rules it follows. */
export interface Placement {
  /** `phantom`: created with PHANTOM_DEFINITION (Phantom semantics); `aws`: a plain AWS group. */
  kind: 'phantom' | 'aws';
  sites: SiteCap[];
}

/** What the rules need to know about the world outside the group. */
export interface PlacementContext {
  /** Every configured site name. */
  knownSites: readonly string[];
  /** The owner's launch configuration names (all of them, e.g. `testlc1@hotel`, `lc1`). */
  launchConfigurationNames: readonly string[];
}

const invalid = (message: string) => new PhantomError('Validation', message);

/** True when the tags make the group a Phantom domain. */
export const isPhantomDomain = (tags: readonly Tag[]): boolean => tags.some((t) => t.key === DEFINITION_TAG);

/** True for a Phantom domain with the original's sensor rule: its size follows a metric within MinSize..MaxSize. */
export const isSensorDomain = (tags: readonly Tag[]): boolean =>
  isPhantomDomain(tags) && tags.some((t) => SENSOR_RULE_KEYS.has(t.key));

/**
 * Whether SetDesiredCapacity (and terminate-with-decrement) pin min = max = N: Phantom's
 * n-preserving domains do; sensor domains keep their bounds (the metric moves N between them).
 */
export const pinsCapacity = (tags: readonly Tag[]): boolean => isPhantomDomain(tags) && !isSensorDomain(tags);

/**
 * Parses the `clouds` tag: `site:max,site:max`, ranked by position; each item is split on its
 * last `:` so site names may contain colons; max is an integer ≥ 0 or -1 (unlimited).
 * @throws PhantomError Validation naming the offending item.
 */
export function parseClouds(value: string): SiteCap[] {
  const sites: SiteCap[] = [];
  for (const raw of value.split(',')) {
    const item = raw.trim();
    const colon = item.lastIndexOf(':');
    const site = colon < 0 ? '' : item.slice(0, colon).trim();
    const size = colon < 0 ? '' : item.slice(colon + 1).trim();
    if (!site || !/^-?[0-9]{1,9}$/.test(size) || Number(size) < -1) {
      throw invalid(
        `The format is <cloud site name>:<integer size> (size -1 for unlimited). You sent ${item || '(empty)'}`,
      );
    }
    if (sites.some((s) => s.site === site)) throw invalid(`The clouds tag names site ${site} more than once.`);
    sites.push({ site, max: Number(size) });
  }
  return sites;
}

/** Sites the multi-cloud launch configuration `base` has entries for (all sites if it has a site-agnostic entry). */
export function sitesCovered(launchConfigurationName: string, ctx: PlacementContext): string[] {
  const { base } = parseLaunchConfigurationName(launchConfigurationName);
  if (ctx.launchConfigurationNames.includes(base)) return [...ctx.knownSites].sort();
  const sites = new Set<string>();
  for (const name of ctx.launchConfigurationNames) {
    const parsed = parseLaunchConfigurationName(name);
    if (parsed.base === base && parsed.site !== undefined) sites.add(parsed.site);
  }
  return [...sites].sort();
}

/**
 * Resolves where a group's instances go.
 * - Phantom domain: the `clouds` tag, validated (known definition, known sites, each site
 *   covered by the launch configuration, integer `minimum_vms`/`maximum_vms`).
 * - Plain AWS group: AvailabilityZones that name known sites, in the order given, uncapped;
 *   if none do, every site the launch configuration covers, in name order, uncapped.
 * @throws PhantomError Validation with a message naming the offending tag or site.
 */
export function resolvePlacement(
  group: { tags: readonly Tag[]; availabilityZones: readonly string[]; launchConfigurationName: string },
  ctx: PlacementContext,
): Placement {
  const covered = sitesCovered(group.launchConfigurationName, ctx);
  if (!isPhantomDomain(group.tags)) {
    const named = group.availabilityZones.filter((az, i, all) => ctx.knownSites.includes(az) && all.indexOf(az) === i);
    const sites = (named.length > 0 ? named : covered).map((site) => ({ site, max: -1 }));
    return { kind: 'aws', sites };
  }
  const tags = new Map(group.tags.map((t) => [t.key, t.value]));
  const definition = tags.get(DEFINITION_TAG)!;
  if (!KNOWN_DEFINITIONS.has(definition))
    throw invalid(`${definition} is an unknown definition type. Please check your tags`);
  if (definition !== OVERFLOW_DEFINITION && definition !== SENSOR_DEFINITION)
    throw invalid(
      `The ${definition} definition is not supported by this Phantom; use ${OVERFLOW_DEFINITION} (or ${SENSOR_DEFINITION}).`,
    );
  for (const key of ['minimum_vms', 'maximum_vms']) {
    const value = tags.get(key);
    if (value !== undefined && !/^[0-9]{1,9}$/.test(value.trim()))
      throw invalid(`The tag ${key} has a value ${value} that could not be understood`);
  }
  const clouds = tags.get('clouds') ?? (definition === SENSOR_DEFINITION ? ownSite(group, ctx) : undefined);
  if (clouds === undefined) throw invalid(`${OVERFLOW_DEFINITION} requires a clouds tag, e.g. clouds=hotel:1,sierra:2`);
  const sites = parseClouds(clouds);
  for (const { site } of sites) {
    if (!ctx.knownSites.includes(site))
      throw invalid(`Unknown site ${site} in the clouds tag; known sites: ${ctx.knownSites.join(', ')}`);
    if (!covered.includes(site)) {
      const { base } = parseLaunchConfigurationName(group.launchConfigurationName);
      throw invalid(`Launch configuration ${base} has no entry for site ${site}; create ${base}@${site} first.`);
    }
  }
  return { kind: 'phantom', sites };
}

/**
 * A sensor_engine domain without a clouds tag runs on its launch configuration's own site
 * (`lc@site`), unlimited, as the original's did.
 */
function ownSite(group: { launchConfigurationName: string }, ctx: PlacementContext): string {
  const { site } = parseLaunchConfigurationName(group.launchConfigurationName);
  if (site === undefined || !ctx.knownSites.includes(site))
    throw invalid(
      `${SENSOR_DEFINITION} without a clouds tag runs on its launch configuration's site: name one as name@site (known sites: ${ctx.knownSites.join(', ')}).`,
    );
  return `${site}:-1`;
}

/** Whether `key` is read by a Phantom definition (so changing it re-validates the domain). */
export const isPolicyTag = (key: string): boolean =>
  key === DEFINITION_TAG || OVERFLOW_KEYS.has(key) || SENSOR_RULE_KEYS.has(key);
