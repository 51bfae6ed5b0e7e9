import type { EngineInstance } from '../../contracts/engine.ts';

/**
 * Canonical order of instances: oldest launch first, then instance id ascending. "Newest first"
 * is exactly the reverse of this order, so every choice the engine makes is deterministic.
 */
export function oldestFirst(a: EngineInstance, b: EngineInstance): number {
  const byTime = a.launchedAt.getTime() - b.launchedAt.getTime();
  if (byTime !== 0) return byTime;
  return a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0;
}

/** Reverse of {@link oldestFirst}: newest launch first, then instance id descending. */
export const newestFirst = (a: EngineInstance, b: EngineInstance): number => oldestFirst(b, a);

/**
 * The order in which the engine gives up instances of one site: unprotected ones newest first,
 * then (only where allowed, e.g. a lowered cap) protected ones newest first.
 */
export function sheddingOrder(instances: readonly EngineInstance[]): EngineInstance[] {
  const unprotected = instances.filter((i) => i.protectedFromScaleIn !== true).sort(newestFirst);
  const protectedOnes = instances.filter((i) => i.protectedFromScaleIn === true).sort(newestFirst);
  return [...unprotected, ...protectedOnes];
}
