import type { DecisionEngine, EngineInput, EngineInstance, Plan } from '../../contracts/engine.ts';
import { parseOverflowConfig, type OverflowConfig } from './config.ts';
import { oldestFirst, newestFirst, sheddingOrder } from './order.ts';

type Termination = Plan['terminations'][number];
type Launch = Plan['launches'][number];

/** One ranked site as the engine sees it during a pass. */
interface SiteSlot {
  site: string;
  rank: number;
  /** Max instances; `Infinity` for unlimited (-1). */
  cap: number;
  /** Not backed off at `now`. */
  usable: boolean;
  /** Healthy instances kept on the site after shedding. */
  kept: EngineInstance[];
}

/** Builds the ranked slots; a site named twice keeps its first (highest) rank. */
function slotsOf(input: EngineInput): { slots: SiteSlot[]; byName: Map<string, SiteSlot> } {
  const slots: SiteSlot[] = [];
  const byName = new Map<string, SiteSlot>();
  const now = input.now.getTime();
  for (const site of input.sites) {
    if (byName.has(site.site)) continue;
    const slot: SiteSlot = {
      site: site.site,
      rank: slots.length,
      cap: site.max < 0 ? Infinity : site.max,
      usable: site.backedOffUntil === undefined || site.backedOffUntil.getTime() <= now,
      kept: [],
    };
    slots.push(slot);
    byName.set(site.site, slot);
  }
  return { slots, byName };
}

/** Unhealthy instances go first (rank, then oldest); they never count. */
function terminateUnhealthy(input: EngineInput, byName: Map<string, SiteSlot>): Termination[] {
  const rank = (i: EngineInstance) => byName.get(i.site)?.rank ?? Infinity;
  return input.instances
    .filter((i) => !i.healthy)
    .sort((a, b) => rank(a) - rank(b) || oldestFirst(a, b))
    .map((i) => ({ instanceId: i.instanceId, reason: 'unhealthy' }));
}

/**
 * Places healthy instances on their slots and sheds what exceeds a cap (newest first, protected
 * last). Instances on a site no longer in the list are over a cap of 0.
 */
function placeAndShed(input: EngineInput, slots: SiteSlot[], byName: Map<string, SiteSlot>): Termination[] {
  const strays: EngineInstance[] = [];
  for (const instance of input.instances) {
    if (!instance.healthy) continue;
    const slot = byName.get(instance.site);
    if (slot) slot.kept.push(instance);
    else strays.push(instance);
  }
  const shed: EngineInstance[] = sheddingOrder(strays);
  for (const slot of slots) {
    const excess = slot.kept.length - slot.cap;
    if (excess <= 0) continue;
    const order = sheddingOrder(slot.kept);
    shed.push(...order.slice(0, excess));
    slot.kept = order.slice(excess);
  }
  return shed.map((i) => ({ instanceId: i.instanceId, reason: 'over-site-cap' }));
}

/** Room left on a slot for new instances (0 when backed off). */
const roomOf = (slot: SiteSlot): number => (slot.usable ? Math.max(0, slot.cap - slot.kept.length) : 0);

/** Launches up to `count` instances filling usable sites in rank order; what does not fit waits. */
function fill(slots: readonly SiteSlot[], count: number): Launch[] {
  const launches: Launch[] = [];
  let remaining = count;
  for (const slot of slots) {
    if (remaining <= 0) break;
    const take = Math.min(roomOf(slot), remaining);
    if (take > 0) launches.push({ site: slot.site, count: take });
    remaining -= take;
  }
  return launches;
}

/** Removes `surplus` unprotected instances, lowest rank first, newest first within a site. */
function scaleIn(slots: readonly SiteSlot[], surplus: number): Termination[] {
  const out: Termination[] = [];
  for (let r = slots.length - 1; r >= 0 && out.length < surplus; r--) {
    const candidates = (slots[r]?.kept ?? []).filter((i) => i.protectedFromScaleIn !== true).sort(newestFirst);
    for (const instance of candidates.slice(0, surplus - out.length)) {
      out.push({ instanceId: instance.instanceId, reason: 'scale-in' });
    }
  }
  return out;
}

/**
 * Move-back rule (launch before terminate). At `desired`, each open place on a usable site is
 * paired, best rank first, with a movable (unprotected) instance, lowest rank first, while the
 * place ranks strictly higher than the instance; at most `maxSurge` pairs. Their places are
 * launched now; the next pass sees desired + k and scale-in removes the k lowest-ranked.
 */
function moveBack(slots: readonly SiteSlot[], maxSurge: number): Launch[] {
  const places: SiteSlot[] = [];
  for (const slot of slots) {
    for (let n = Math.min(roomOf(slot), maxSurge); n > 0 && places.length < maxSurge; n--) places.push(slot);
  }
  const movableRanks: number[] = [];
  for (let r = slots.length - 1; r >= 0; r--) {
    for (const i of slots[r]?.kept ?? []) if (i.protectedFromScaleIn !== true) movableRanks.push(r);
  }
  const launches: Launch[] = [];
  for (let k = 0; k < places.length; k++) {
    const place = places[k];
    const from = movableRanks[k];
    if (place === undefined || from === undefined || place.rank >= from) break;
    const last = launches[launches.length - 1];
    if (last?.site === place.site) last.count++;
    else launches.push({ site: place.site, count: 1 });
  }
  return launches;
}

/**
 * Pure decision for one pass. Terminations come in order: unhealthy, over-site-cap, scale-in.
 * Launches are in rank order with counts > 0. See the folder's README for the full rules.
 */
export function decideOverflow(input: EngineInput, config: OverflowConfig): Plan {
  const { slots, byName } = slotsOf(input);
  const terminations = [...terminateUnhealthy(input, byName), ...placeAndShed(input, slots, byName)];
  const desired = Math.max(0, input.desired);
  const total = slots.reduce((sum, slot) => sum + slot.kept.length, 0);
  if (total < desired) return { launches: fill(slots, desired - total), terminations };
  if (total > desired) return { launches: [], terminations: [...terminations, ...scaleIn(slots, total - desired)] };
  return { launches: moveBack(slots, config.maxSurge), terminations };
}

/**
 * Phantom's `error_overflow_n_preserving`: keep `desired` healthy instances, filling sites in
 * rank order up to their caps, skipping backed-off sites (their share overflows to the next
 * site in the same pass), shrinking from the lowest rank, replacing unhealthy instances, and
 * moving load back up the ranks one surge at a time once a site is usable again.
 */
export const nPreservingOverflow: DecisionEngine<OverflowConfig> = {
  name: 'error_overflow_n_preserving',
  parseConfig: parseOverflowConfig,
  decide: decideOverflow,
};
