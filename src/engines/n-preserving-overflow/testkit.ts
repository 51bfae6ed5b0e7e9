import type { EngineInput, EngineInstance, EngineSite, Plan } from '../../contracts/engine.ts';

/** The fixed instant every engine test decides at. */
export const NOW = new Date('2026-01-01T12:00:00Z');
const MINUTE = 60_000;

/** `hotel:1 sierra:-1` → ranked sites; `backedOff` gives minutes from NOW until usable. */
export function sitesOf(spec: string, backedOff: Record<string, number> = {}): EngineSite[] {
  return spec
    .split(/\s+/)
    .filter(Boolean)
    .map((item) => {
      const colon = item.lastIndexOf(':');
      const site = item.slice(0, colon);
      const minutes = backedOff[site];
      const base: EngineSite = { site, max: Number(item.slice(colon + 1)) };
      return minutes === undefined ? base : { ...base, backedOffUntil: new Date(NOW.getTime() + minutes * MINUTE) };
    });
}

/**
 * `id@site+M[u][p]` → an instance launched M minutes after NOW-1h; `u` unhealthy, `p` protected.
 * @throws Error on a malformed item.
 */
export function instancesOf(spec: string): EngineInstance[] {
  return spec
    .split(/\s+/)
    .filter(Boolean)
    .map((item) => {
      const m = /^([^@]+)@([^+]+)\+(\d+)([up]*)$/.exec(item);
      if (!m) throw new Error(`bad instance spec ${item}`);
      const [, instanceId = '', site = '', minutes = '0', flags = ''] = m;
      const instance: EngineInstance = {
        instanceId,
        site,
        healthy: !flags.includes('u'),
        launchedAt: new Date(NOW.getTime() - 60 * MINUTE + Number(minutes) * MINUTE),
      };
      return flags.includes('p') ? { ...instance, protectedFromScaleIn: true } : instance;
    });
}

/** Builds an engine input at NOW. */
export function inputOf(
  sites: string,
  desired: number,
  instances = '',
  backedOff: Record<string, number> = {},
): EngineInput {
  return { desired, sites: sitesOf(sites, backedOff), instances: instancesOf(instances), now: NOW };
}

/** Renders a plan compactly: launches `site:n …`, terminations `id:reason …`. */
export function render(plan: Plan): { launches: string; terminations: string } {
  return {
    launches: plan.launches.map((l) => `${l.site}:${l.count}`).join(' '),
    terminations: plan.terminations.map((t) => `${t.instanceId}:${t.reason}`).join(' '),
  };
}

/**
 * Applies a plan as the reconciler would if every call succeeded: terminated instances vanish,
 * launched ones appear healthy at `now` with ids `${prefix}-N`.
 */
export function applyPlan(input: EngineInput, plan: Plan, prefix: string): EngineInput {
  const gone = new Set(plan.terminations.map((t) => t.instanceId));
  const instances = input.instances.filter((i) => !gone.has(i.instanceId));
  let n = 0;
  for (const launch of plan.launches) {
    for (let k = 0; k < launch.count; k++) {
      instances.push({ instanceId: `${prefix}-${n++}`, site: launch.site, healthy: true, launchedAt: input.now });
    }
  }
  return { ...input, instances };
}
