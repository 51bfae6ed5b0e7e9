import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineInput, EngineInstance, EngineSite, Plan } from '../../contracts/engine.ts';
import { nPreservingOverflow } from './engine.ts';
import { NOW, applyPlan } from './testkit.ts';
import { seededRandom as prng } from '../../lib/random.ts';

const MINUTE = 60_000;
const SITE_NAMES = ['hotel', 'sierra', 'tango', 'uniform'];

function randomInput(rand: () => number): { input: EngineInput; maxSurge: number } {
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const sites: EngineSite[] = SITE_NAMES.slice(0, int(1, SITE_NAMES.length)).map((site) => {
    const max = rand() < 0.2 ? -1 : int(0, 4);
    const r = rand();
    if (r < 0.6) return { site, max };
    return { site, max, backedOffUntil: new Date(NOW.getTime() + int(-5, 5) * MINUTE) };
  });
  const instances: EngineInstance[] = [];
  for (let n = int(0, 12); n > 0; n--) {
    const site = rand() < 0.05 ? 'gone' : (sites[int(0, sites.length - 1)]?.site ?? 'gone');
    const base: EngineInstance = {
      instanceId: `i-${instances.length}`,
      site,
      healthy: rand() < 0.85,
      launchedAt: new Date(NOW.getTime() - int(0, 30) * MINUTE),
    };
    instances.push(rand() < 0.2 ? { ...base, protectedFromScaleIn: true } : base);
  }
  return { input: { desired: int(0, 12), sites, instances, now: NOW }, maxSurge: int(0, 2) };
}

const usable = (s: EngineSite, now: Date) =>
  s.backedOffUntil === undefined || s.backedOffUntil.getTime() <= now.getTime();
const healthyOn = (input: EngineInput, site: string) =>
  input.instances.filter((i) => i.healthy && i.site === site).length;

/** Healthy instances the sites can hold: caps of usable sites, plus what backed-off ones keep. */
function capacity(input: EngineInput): number {
  return input.sites.reduce((sum, s) => {
    const cap = s.max < 0 ? Infinity : s.max;
    return sum + (usable(s, input.now) ? cap : Math.min(cap, healthyOn(input, s.site)));
  }, 0);
}

/** What the healthy total must be once a pass is applied (absent a move-back surge). */
function expectedTotal(before: EngineInput, after: EngineInput): number {
  const protectedLeft = after.instances.filter((i) => i.healthy && i.protectedFromScaleIn === true).length;
  return Math.max(Math.min(before.desired, capacity(before)), protectedLeft);
}

function checkPlan(input: EngineInput, plan: Plan, maxSurge: number, label: string): EngineInput {
  const byId = new Map(input.instances.map((i) => [i.instanceId, i]));
  const ranks = input.sites.map((s) => s.site);
  let lastRank = -1;
  for (const l of plan.launches) {
    const rank = ranks.indexOf(l.site);
    const site = input.sites[rank];
    assert.ok(site && l.count > 0 && rank > lastRank, `${label}: launches in rank order with counts > 0`);
    assert.ok(usable(site, input.now), `${label}: no launch on backed-off ${l.site}`);
    lastRank = rank;
  }
  const seen = new Set<string>();
  for (const t of plan.terminations) {
    const instance = byId.get(t.instanceId);
    assert.ok(instance && !seen.has(t.instanceId), `${label}: terminates known instances once`);
    seen.add(t.instanceId);
    if (t.reason === 'scale-in')
      assert.ok(instance.protectedFromScaleIn !== true, `${label}: protected ${t.instanceId} scaled in`);
    assert.equal(
      t.reason === 'unhealthy',
      !instance.healthy,
      `${label}: exactly the unhealthy are terminated as unhealthy`,
    );
  }
  const after = applyPlan(input, plan, 'new');
  for (const s of input.sites) {
    if (s.max >= 0) assert.ok(healthyOn(after, s.site) <= s.max, `${label}: ${s.site} within its cap`);
  }
  const total = after.instances.filter((i) => i.healthy).length;
  const expected = expectedTotal(input, after);
  const surge = plan.launches.length > 0 && total > input.desired;
  if (surge)
    assert.ok(total - input.desired <= maxSurge, `${label}: surge ${total - input.desired} > maxSurge ${maxSurge}`);
  else assert.equal(total, expected, `${label}: healthy total`);
  return after;
}

describe('n-preserving overflow engine: properties over seeded random inputs', () => {
  it('every pass respects caps, backoff and protection, and reaches min(desired, capacity)', () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const { input, maxSurge } = randomInput(prng(seed));
      checkPlan(input, nPreservingOverflow.decide(input, { maxSurge }), maxSurge, `seed ${seed}`);
    }
  });

  it('repeated passes converge to a rank-ordered fixed point', () => {
    for (let seed = 1; seed <= 500; seed++) {
      const { input: start, maxSurge } = randomInput(prng(seed));
      let input = start;
      let passes = 0;
      for (;;) {
        const plan = nPreservingOverflow.decide(input, { maxSurge });
        if (plan.launches.length === 0 && plan.terminations.length === 0) break;
        input = checkPlan(input, plan, maxSurge, `seed ${seed} pass ${passes}`);
        assert.ok(++passes <= 40, `seed ${seed}: no fixed point after 40 passes`);
      }
      if (maxSurge === 0) continue;
      // At the fixed point no usable site with room ranks above a movable instance.
      const rankOf = (site: string) => input.sites.findIndex((s) => s.site === site);
      const movable = input.instances.filter((i) => i.protectedFromScaleIn !== true).map((i) => rankOf(i.site));
      input.sites.forEach((s, rank) => {
        const room = usable(s, input.now) && (s.max < 0 || healthyOn(input, s.site) < s.max);
        if (room && input.instances.length === input.desired)
          assert.ok(
            movable.every((r) => r <= rank),
            `seed ${seed}: ${s.site} has room above a movable instance`,
          );
      });
    }
  });
});
